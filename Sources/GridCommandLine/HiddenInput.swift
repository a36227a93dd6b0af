import Foundation

/// A question in the terminal whose answer is not shown as it is typed: a token, a password.
public enum HiddenInput {
    /// Asks `prompt` on standard error and reads a line from standard input without echoing
    /// it; `nil` when there is no terminal to ask in (a script).
    public static func ask(_ prompt: String) -> String? {
        guard isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else { return nil }
        StandardStream.error.write(prompt)
        var original = termios()
        let canHide = tcgetattr(STDIN_FILENO, &original) == 0
        if canHide {
            var hidden = original
            hidden.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden)
        }
        let line = readLine(strippingNewline: true)
        if canHide { tcsetattr(STDIN_FILENO, TCSAFLUSH, &original) }
        StandardStream.error.write("\n")
        return line ?? ""
    }
}
