import Foundation
import GridCommandLine
import GridModel
import GridStore

/// Questions in the terminal for what a record command was not given: each required field
/// left out (its choices listed, answered by number, key or label) and, where the street's
/// lists are on the replica, the compound, found from part of its name.
///
/// Only when a person is there to answer: standard input and standard error are a terminal
/// and `--json` was not asked for. A script gets the refusal it always got, and so does a
/// person who answers with end of input (Ctrl-D).
enum FieldQuestions {
    /// Whether someone can be asked: a terminal on both sides, and no `--json`.
    static func canAsk(_ output: OutputOptions) -> Bool {
        !output.json && isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
    }

    /// Reads one answer, `nil` at end of input.
    private static func readAnswer() -> String? { readLine(strippingNewline: true) }

    /// Writes a question or a note on standard error, where the terminal shows it.
    private static func say(_ text: String) { StandardStream.error.write(text) }

    /// Asks for every required register of `type` that `builder` does not set, then for the
    /// compound if the type has one, none was given and `compounds` (those the record may
    /// name) are known; adds the answers to `builder`. Stops asking at end of input.
    static func askMissing(of type: RecordType, into builder: inout EditBuilder, compounds: [StreetEntry]) throws {
        for spec in type.schema.fields
        where spec.isRequired && spec.name != RecordSchema.deletedField && !builder.gives(spec.name) {
            guard case .register(let domain) = spec.shape else { continue }
            guard let value = ask(spec, domain) else { return }
            // Parsed already: a canonical value sets as itself.
            try builder.set(spec.name, value)
        }
        if type.schema["compound"] != nil, !builder.gives("compound"), !compounds.isEmpty,
            let key = askCompound(compounds)
        {
            try builder.set("compound", key)
        }
    }

    /// Asks for one field until the answer is a value of its domain; `nil` at end of input.
    private static func ask(_ spec: FieldSpec, _ domain: ValueDomain) -> String? {
        var choices: [ChoiceSet.Choice] = []
        if case .choice(let set) = domain {
            choices = set.choices
            say(
                "\(spec.label.chinese) \(spec.name):\n"
                    + choices.enumerated().map { "  \($0.offset + 1). \($0.element.label.chinese) \($0.element.key)" }
                    .joined(separator: "\n") + "\n")
        }
        while true {
            say(
                choices.isEmpty
                    ? "\(spec.label.chinese) \(spec.name) (\(domain.summary)): "
                    : "number, key or name (1-\(choices.count)): ")
            guard let answer = readAnswer() else {
                say("\n")
                return nil
            }
            let typed = answer.trimmingCharacters(in: .whitespaces)
            if let number = Int(typed), choices.indices.contains(number - 1) { return choices[number - 1].key }
            do {
                return try domain.parse(typed, field: spec.name).description
            } catch {
                say("\(error)\n")
            }
        }
    }

    /// Asks for the compound by part of its name or key, until one is found or the answer is
    /// empty (no compound); lists the candidates when several match.
    private static func askCompound(_ compounds: [StreetEntry]) -> String? {
        while true {
            say("小区 compound (part of its name or its key; Enter for none): ")
            guard let answer = readAnswer()?.trimmingCharacters(in: .whitespaces), !answer.isEmpty else { return nil }
            let found = Self.compounds(matching: answer, in: compounds)
            switch found.count {
            case 1:
                say("  → \(found[0].description)\n")
                return found[0].key
            case 0:
                say("no compound of this replica's street is named '\(answer)': try part of its name, or Enter\n")
            default:
                say(
                    "several match: "
                        + found.prefix(8).map(\.description).joined(separator: ", ")
                        + (found.count > 8 ? ", …" : "") + "\n")
            }
        }
    }

    /// The compounds `text` names: its key or whole name exactly, else those whose name
    /// contains it.
    static func compounds(matching text: String, in compounds: [StreetEntry]) -> [StreetEntry] {
        let exact = compounds.filter { $0.key == text.lowercased() || $0.name == text }
        if !exact.isEmpty { return exact }
        return compounds.filter { $0.name?.contains(text) == true }
    }
}
