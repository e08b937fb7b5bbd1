//! Splitting a script into statements: `;` ends a statement unless it is inside a quoted
//! string or a comment.
//!
//! Strings are `'...'` or `"..."` with backslash escapes (Cypher's); comments are `// ...`
//! and `-- ...` to the end of the line, and `/* ... */`. Comments are dropped from the
//! statements (each replaced by one space, or a line end for a line comment, so positions in
//! later lines keep their line numbers).

/// Splits `script` into its statements, trimmed, without the `;`, comments removed; empty
/// statements (`;;`, a trailing comment) are left out.
///
/// An unterminated string or block comment runs to the end of the script; the statement's
/// parser then reports it.
///
/// # Example
///
/// ```
/// let statements = ruzu::split_statements(
///     "CREATE NODE TABLE T(id INT64, PRIMARY KEY(id)); -- a table\n\
///      COPY T FROM 'a;b.csv' (HEADER=true);",
/// );
/// assert_eq!(statements, [
///     "CREATE NODE TABLE T(id INT64, PRIMARY KEY(id))",
///     "COPY T FROM 'a;b.csv' (HEADER=true)",
/// ]);
/// ```
pub fn split_statements(script: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' => push_statement(&mut statements, &mut current),
            '\'' | '"' => {
                current.push(c);
                while let Some(s) = chars.next() {
                    current.push(s);
                    if s == '\\' {
                        if let Some(escaped) = chars.next() {
                            current.push(escaped);
                        }
                    } else if s == c {
                        break;
                    }
                }
            }
            '-' | '/' if chars.peek() == Some(&c) => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        current.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut star = false;
                for s in chars.by_ref() {
                    if star && s == '/' {
                        break;
                    }
                    if s == '\n' {
                        current.push('\n');
                    }
                    star = s == '*';
                }
                current.push(' ');
            }
            _ => current.push(c),
        }
    }
    push_statement(&mut statements, &mut current);
    statements
}

/// Whether `text` ends with a `;` that ends a statement (not inside a string or comment):
/// what an interactive prompt waits for before running what was typed.
pub fn ends_statement(text: &str) -> bool {
    // Splitting `text + "x"` leaves the `x` alone in the last statement exactly when the
    // text ended with a statement-ending `;` (possibly followed by blanks and comments).
    let before = split_statements(text).len();
    let probe = split_statements(&format!("{text}\nx"));
    before > 0 && probe.len() == before + 1 && probe.last().is_some_and(|s| s == "x")
}

fn push_statement(statements: &mut Vec<String>, current: &mut String) {
    let text = current.trim();
    if !text.is_empty() {
        statements.push(text.to_owned());
    }
    current.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_in_strings_and_comments_do_not_split() {
        let script = "COPY T FROM 'x;y' (DELIM=\";\"); // a; comment\n\
                      /* block; comment */ DROP TABLE T;\n-- trailing; comment";
        assert_eq!(
            split_statements(script),
            ["COPY T FROM 'x;y' (DELIM=\";\")", "DROP TABLE T"]
        );
    }

    #[test]
    fn escaped_quotes_stay_inside_the_string() {
        assert_eq!(
            split_statements(r"COPY T FROM 'it\'s;here.csv'; DROP TABLE T"),
            [r"COPY T FROM 'it\'s;here.csv'", "DROP TABLE T"]
        );
    }

    #[test]
    fn empty_statements_are_left_out() {
        assert!(split_statements(" ;; -- nothing\n ; ").is_empty());
    }

    #[test]
    fn a_prompt_runs_only_after_a_statement_ending_semicolon() {
        assert!(ends_statement("DROP TABLE T;"));
        assert!(ends_statement("DROP TABLE T; -- done"));
        assert!(!ends_statement("COPY T FROM 'a;"));
        assert!(!ends_statement("CREATE NODE TABLE T("));
        assert!(!ends_statement(""));
    }
}
