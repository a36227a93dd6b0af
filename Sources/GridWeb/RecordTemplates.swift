/// The Mustache templates of the pages both web screens show alike: a list of records
/// (``RecordList``) and a record's page (``RecordView``). Each screen registers them in its
/// library as `records` and `record`.
public enum RecordTemplates {
    /// A list, its filters and its pages.
    public static let list = """
        <h1>{{heading}}</h1>
        <form class="filters" method="get" action="/records/{{type}}">
        {{#filters}}<label>{{label}} {{#empty(choices)}}<input name="{{name}}" value="{{value}}"{{#isDate}} type="date"{{/isDate}}>{{/empty(choices)}}
        {{^empty(choices)}}<select name="{{name}}"><option value="">—</option>{{#choices}}<option value="{{key}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/choices}}</select>{{/empty(choices)}}</label>
        {{/filters}}<button type="submit">{{filterLabel}}</button></form>
        <p class="note">{{summary}}</p>
        <table><tr>{{#columns}}<th>{{.}}</th>{{/columns}}</tr>
        {{#rows}}<tr><td><a href="/record/{{id}}">{{title}}</a></td>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}</table>
        <p>{{#previous}}<a href="{{previous}}">{{previousLabel}}</a> {{/previous}}{{#next}}<a href="{{next}}">{{nextLabel}}</a>{{/next}}</p>
        """

    /// A record's fields, links and history.
    public static let record = """
        <h1>{{title}}</h1><p class="note">{{typeLabel}} · {{id}} · {{place}}</p>
        {{#deleted}}<p class="error">{{deleted}}</p>{{/deleted}}
        <table>{{#fields}}<tr><th>{{label}}</th><td>{{value}}{{#conflicted}} <b class="error">{{conflicted}}</b>{{/conflicted}}</td></tr>{{/fields}}</table>
        {{^empty(links)}}<h2>{{linksHeading}}</h2>
        <ul>{{#links}}<li>{{label}}: <a href="/record/{{id}}">{{title}}</a></li>{{/links}}</ul>{{/empty(links)}}
        <h2>{{historyHeading}}</h2>
        <table><tr>{{#historyColumns}}<th>{{.}}</th>{{/historyColumns}}</tr>
        {{#history}}<tr><td>{{time}}</td><td>{{author}}</td><td>{{field}}</td><td>{{action}}</td><td>{{replaced}}</td><td>{{replica}}</td></tr>{{/history}}</table>
        """

    /// A record's photos (``RecordPhotos``).
    public static let photos = """
        <h2>{{heading}}</h2>
        <div class="photos">{{#photos}}{{#held}}<a href="/photo/{{hex}}"><img src="/photo/{{hex}}" alt="{{label}}"></a>{{/held}}
        {{^held}}<span class="note">{{label}}. {{missing}}</span>{{/held}}{{/photos}}</div>
        """
}
