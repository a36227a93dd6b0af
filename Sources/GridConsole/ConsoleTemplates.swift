import GridWeb
import Mustache

/// The console's pages as Mustache templates. `{{value}}` escapes HTML, so whatever a worker
/// typed in the field (a title with `<script>` in it) is shown as text; the one unescaped
/// value is `{{{body}}}`, the page the layout wraps, itself rendered from these templates.
enum ConsoleTemplates {
    /// The templates by name.
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in all { try library.register(text, named: name) }
        return library
    }

    static let all: [(String, String)] = [
        ("layout", layout), ("sign-in", signIn), ("overview", overview), ("records", RecordTemplates.list),
        ("record", RecordTemplates.record), ("photos", RecordTemplates.photos),
        ("conflicts", conflicts), ("devices", devices), ("message", message), ("accounts", accounts),
        ("report", report),
    ]

    static let layout = """
        <!doctype html>
        <html lang="{{lang}}"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · GridSync</title>
        <style>
        \(PageStyle.base(accent: "#1f4e79"))
        .bar{background:#1f4e79;height:.8em;display:inline-block}
        .competing{display:flex;gap:1em;flex-wrap:wrap} .competing>div{border:1px solid #ccd;padding:.5em}
        form.filters input,form.filters select{margin:0 .5em .3em 0}
        @media print{header{display:none}}
        </style></head><body>
        {{#signedIn}}<header><b>GridSync</b>
        <a href="/">{{words.overview}}</a><a href="/records/demand">{{words.demands}}</a>
        <a href="/records/visit">{{words.visits}}</a><a href="/records/project">{{words.projects}}</a>
        <a href="/conflicts">{{words.conflicts}}</a><a href="/devices">{{words.devices}}</a>
        <a href="/report">{{words.report}}</a><a href="/accounts">{{words.accounts}}</a>
        <span>{{worker}}</span>
        <a href="?lang={{otherLanguage}}">{{otherLanguageName}}</a>
        <form method="post" action="/sign-out"><input type="hidden" name="csrf" value="{{formToken}}">
        <button type="submit">{{words.signOut}}</button></form></header>{{/signedIn}}
        <main>{{{body}}}</main></body></html>
        """

    static let signIn = """
        <h1>{{heading}}</h1>
        {{#error}}<p class="error">{{error}}</p>{{/error}}
        <form method="post" action="/sign-in">
        <p><label>{{accountLabel}} <input name="worker" value="{{worker}}" autocomplete="username" required></label></p>
        <p><label>{{passwordLabel}} <input name="password" type="password" autocomplete="current-password" required></label></p>
        <p><button type="submit">{{submit}}</button></p></form>
        <p class="note">{{hint}}</p>
        """

    static let message = """
        <h1>{{heading}}</h1><p{{#isError}} class="error"{{/isError}}>{{text}}</p>
        {{#back}}<p><a href="{{back}}">{{backLabel}}</a></p>{{/back}}
        """

    static let overview = """
        <h1>{{heading}}</h1>
        <div class="cards">{{#cards}}<div class="card"><b>{{value}}</b>{{label}}</div>{{/cards}}</div>
        <h2>{{month.heading}}</h2><p class="note">{{asOf}}</p>
        <table>{{#month.rows}}<tr><th>{{label}}</th><td>{{value}}</td></tr>{{/month.rows}}</table>
        <h3>{{categories.heading}}</h3>
        <table>{{#categories.rows}}<tr><th>{{label}}</th><td>{{count}}</td>
        <td><span class="bar" style="width:{{width}}em"></span></td></tr>{{/categories.rows}}</table>
        <h2>{{oldest.heading}}</h2>
        <table><tr>{{#oldest.columns}}<th>{{.}}</th>{{/oldest.columns}}</tr>
        {{#oldest.rows}}<tr><td><a href="/record/{{id}}">{{title}}</a></td><td>{{place}}</td><td>{{raised}}</td>
        <td>{{days}}</td></tr>{{/oldest.rows}}</table>
        <h2>{{silent.heading}}</h2>
        {{#empty(silent.rows)}}<p class="note">{{silent.none}}</p>{{/empty(silent.rows)}}
        {{^empty(silent.rows)}}<table><tr>{{#silent.columns}}<th>{{.}}</th>{{/silent.columns}}</tr>
        {{#silent.rows}}<tr><td>{{worker}}</td><td>{{replica}}</td><td>{{lastSync}}</td><td>{{behind}}</td></tr>{{/silent.rows}}
        </table>{{/empty(silent.rows)}}
        """

    static let report = """
        <h1>{{heading}}</h1>
        <form class="filters" method="get" action="/report">
        <label>{{monthLabel}} <input name="month" type="month" value="{{month}}"></label>
        <label>{{communityLabel}} <select name="community">{{#communities}}<option value="{{key}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/communities}}</select></label>
        <button type="submit">{{showLabel}}</button></form>
        <p>{{#links}}<a href="{{href}}">{{label}}</a> {{/links}}</p>
        <p class="note">{{note}}</p>
        {{#sections}}<h2>{{heading}}</h2>
        <table>{{#rows}}<tr><th>{{label}}</th><td>{{value}}</td></tr>{{/rows}}</table>{{/sections}}
        """

    static let conflicts = """
        <h1>{{heading}}</h1>
        {{#error}}<p class="error">{{error}}</p>{{/error}}{{#done}}<p>{{done}}</p>{{/done}}
        {{^items}}<p class="note">{{none}}</p>{{/items}}
        {{#items}}<section><h2><a href="/record/{{record}}">{{title}}</a> · {{fieldLabel}}</h2><p class="note">{{place}}</p>
        <form method="post" action="/conflicts/settle">
        <input type="hidden" name="csrf" value="{{formToken}}"><input type="hidden" name="record" value="{{record}}">
        <input type="hidden" name="field" value="{{field}}">
        <div class="competing">{{#competing}}<div><label><input type="radio" name="pick" value="{{pick}}"{{#shown}} checked{{/shown}}>
        <b>{{label}}</b></label><br>{{author}} · {{replica}}<br>{{time}}<br><span class="note">{{replacedLabel}} {{replaced}}</span></div>{{/competing}}</div>
        <p><label>{{valueLabel}} <input name="value"></label></p>
        <p><label>{{reasonLabel}} <input name="reason" required size="40"></label>
        <button type="submit">{{settleLabel}}</button></p></form></section>{{/items}}
        """

    static let accounts = """
        <h1>{{heading}}</h1>
        {{#error}}<p class="error">{{error}}</p>{{/error}}
        {{#added}}<section class="card"><h2>{{heading}}</h2><p><code>{{token}}</code></p>
        {{#fingerprint}}<p>--fingerprint {{fingerprint}}</p>{{/fingerprint}}<p>{{howTo}}</p></section>{{/added}}
        <table><tr>{{#columns}}<th>{{.}}</th>{{/columns}}<th></th></tr>
        {{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}<td>{{#revocable}}<form method="post" action="/accounts/revoke">
        <input type="hidden" name="csrf" value="{{formToken}}"><input type="hidden" name="worker" value="{{worker}}">
        <button type="submit">{{revokeLabel}}</button></form>{{/revocable}}</td></tr>{{/rows}}</table>
        <h2>{{addHeading}}</h2>
        <form method="post" action="/accounts/add"><input type="hidden" name="csrf" value="{{formToken}}">
        <label>{{workerLabel}} <input name="worker" required></label>
        <label>{{gridsLabel}} <input name="grids" required></label>
        <label><input type="checkbox" name="office"> {{roleLabel}}</label>
        <button type="submit">{{addLabel}}</button></form><p class="note">{{gridsHint}}</p>
        <h2>{{compoundsHeading}}</h2>
        <table>{{#compounds}}<tr><td>{{key}}</td><td>{{name}}</td><td>{{parent}}</td></tr>{{/compounds}}</table>
        <h2>{{workersHeading}}</h2>
        <table>{{#workers}}<tr><td>{{key}}</td><td>{{name}}</td></tr>{{/workers}}</table>
        """

    static let devices = """
        <h1>{{heading}}</h1>
        <table><tr>{{#columns}}<th>{{.}}</th>{{/columns}}</tr>
        {{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}</table>
        """
}
