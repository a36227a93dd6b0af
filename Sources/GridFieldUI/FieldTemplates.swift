import GridWeb
import Mustache

/// The worker's screen as Mustache templates: `{{value}}` escapes HTML, so a title with
/// `<script>` in it is shown as text; the one unescaped value is `{{{body}}}`, the page the
/// layout wraps, itself rendered from these templates. No script, no file from elsewhere.
enum FieldTemplates {
    /// The templates by name.
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in [
            ("layout", layout), ("today", today), ("record-form", recordForm), ("synced", synced),
            ("records", RecordTemplates.list), ("record", RecordTemplates.record), ("photos", RecordTemplates.photos),
        ] {
            try library.register(text, named: name)
        }
        return library
    }

    static let layout = """
        <!doctype html>
        <html lang="{{lang}}"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        {{#reloads}}<meta http-equiv="refresh" content="1">{{/reloads}}
        <title>{{title}} · GridSync</title>
        <style>
        \(PageStyle.base(accent: "#2d6a4f"))
        form.record label{display:block;margin:.6em 0} form.record .required::after{content:" *";color:#a40000}
        form.record input,form.record select,form.record textarea{display:block;min-width:20em;font-size:1em}
        form.record .refused input,form.record .refused select{outline:2px solid #a40000}
        form.filters input,form.filters select{margin:0 .5em .3em 0}
        button{font-size:1.1em;padding:.3em 1.2em}
        </style></head><body>
        <header><b>GridSync</b><a href="/">{{words.today}}</a><a href="/new/demand">{{words.newDemand}}</a>
        <a href="/new/visit">{{words.newVisit}}</a><a href="/new/project">{{words.newProject}}</a>
        <a href="/records/demand">{{words.demands}}</a><a href="/records/visit">{{words.visits}}</a>
        <a href="/records/project">{{words.projects}}</a><span>{{worker}}</span></header>
        <main>{{{body}}}</main></body></html>
        """

    static let today = """
        <h1>{{heading}}</h1>
        <div class="cards">{{#cards}}<div class="card"><b>{{value}}</b>{{label}}</div>{{/cards}}</div>
        <h2>{{recordedHeading}}</h2>
        {{#empty(recorded)}}<p class="note">{{none}}</p>{{/empty(recorded)}}
        <table>{{#recorded}}<tr><td>{{type}}</td><td><a href="/record/{{id}}">{{title}}</a></td><td>{{place}}</td></tr>{{/recorded}}</table>
        {{#syncLabel}}<form method="post" action="/sync"><input type="hidden" name="csrf" value="{{formToken}}">
        <button type="submit">{{syncLabel}}</button></form>{{/syncLabel}}
        """

    static let synced = """
        <h1{{#failed}} class="error"{{/failed}}>{{heading}}</h1>
        <pre>{{summary}}</pre>
        <p><a href="/">{{back}}</a></p>
        """

    static let recordForm = """
        <h1>{{heading}}</h1>
        {{#refused}}<p class="error">{{refused}}</p><p class="note" id="why">{{error}}</p>{{/refused}}
        <form class="record" method="post" action="/new/{{type}}" enctype="multipart/form-data"><input type="hidden" name="csrf" value="{{formToken}}">
        {{#fields}}<label{{#refused}} class="refused"{{/refused}}><span{{#required}} class="required"{{/required}}>{{label}}</span>
        {{#empty(choices)}}{{#multiline}}<textarea name="{{name}}" rows="4">{{value}}</textarea>{{/multiline}}{{^multiline}}<input name="{{name}}" value="{{value}}"{{#isNumber}} type="number"{{/isNumber}}{{#hint}} placeholder="{{hint}}"{{/hint}}>{{/multiline}}{{/empty(choices)}}
        {{^empty(choices)}}<select name="{{name}}"><option value="">—</option>{{#choices}}<option value="{{key}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/choices}}</select>{{/empty(choices)}}
        </label>{{/fields}}
        {{#photoLabel}}<label{{#photoRefused}} class="refused"{{/photoRefused}}><span>{{photoLabel}}</span>
        <input type="file" name="photo" accept="image/*" multiple></label>{{/photoLabel}}
        <button type="submit">{{save}}</button></form>
        """
}
