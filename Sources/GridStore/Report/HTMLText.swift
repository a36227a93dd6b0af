/// Text made safe to place in an HTML page, between tags or inside a quoted attribute.
enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` written as character references: a title such as
    /// `<script>…` shows as typed and never runs.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
