/// The look both web screens share (the office's console, the worker's own screen): the font
/// for Chinese, the header bar in `accent`, tables, cards, errors and notes. Each screen's
/// layout puts it in its `<style>`, then its own few rules.
public enum PageStyle {
    /// The shared rules, with the header bar in `accent` (a CSS colour).
    public static func base(accent: String) -> String {
        """
        body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222}
        header{background:\(accent);color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
        header a{color:#fff;text-decoration:none} header form{display:inline;margin:0}
        main{padding:1em 1.5em;max-width:75em} table{border-collapse:collapse;margin:.5em 0}
        th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
        th{background:#f3f5f8} .error{color:#a40000;font-weight:bold} .note{color:#555}
        .cards{display:flex;gap:1em;flex-wrap:wrap} .card{border:1px solid #ccd;padding:.6em 1em;min-width:10em}
        .card b{font-size:1.6em;display:block}
        .photos{display:flex;gap:.5em;flex-wrap:wrap} .photos img{max-width:16em;max-height:12em;border:1px solid #ccd}
        """
    }
}
