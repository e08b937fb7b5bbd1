//! Splitting a script into statements with the statement lexer: `;` ends a statement unless
//! it is inside a string, a backticked name or a comment.

use super::lexer::{Tok, tokenize};

/// One statement of a script: its text (from its first token to its last, without the `;`)
/// and where that text starts in the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScriptStatement<'a> {
    /// The statement's text, comments inside it kept (the parsers skip them).
    pub text: &'a str,
    /// 0-based byte offset of `text` in the script.
    pub byte: usize,
}

/// Splits `script` into its statements; empty statements (`;;`, a trailing comment) are
/// left out.
///
/// An unterminated string, name or block comment runs to the end of the script; the
/// statement's parser then reports it.
///
/// # Example
///
/// ```
/// let statements: Vec<&str> = ruzu_copy::split_script(
///     "CREATE NODE TABLE `a;b`(id INT64, PRIMARY KEY(id)); -- a table\n\
///      COPY `a;b` FROM 'a;b.csv' (HEADER=true);",
/// )
/// .iter()
/// .map(|s| s.text)
/// .collect();
/// assert_eq!(statements, [
///     "CREATE NODE TABLE `a;b`(id INT64, PRIMARY KEY(id))",
///     "COPY `a;b` FROM 'a;b.csv' (HEADER=true)",
/// ]);
/// ```
pub fn split_script(script: &str) -> Vec<ScriptStatement<'_>> {
    let mut statements = Vec::new();
    let mut span: Option<(usize, usize)> = None;
    for token in tokenize(script) {
        match token.tok {
            Tok::Punct(';') | Tok::End => {
                if let Some((start, end)) = span.take() {
                    statements.push(ScriptStatement {
                        text: &script[start..end],
                        byte: start,
                    });
                }
            }
            _ => {
                let start = span.map_or(token.byte, |(start, _)| start);
                span = Some((start, token.end));
            }
        }
    }
    statements
}

/// Whether `text` ends with a `;` that ends a statement (not inside a string, name or
/// comment), possibly followed by blanks and comments: what an interactive prompt waits for
/// before running what was typed.
pub fn ends_statement(text: &str) -> bool {
    let mut last = None;
    for token in tokenize(text) {
        if token.tok != Tok::End {
            last = Some(token.tok);
        }
    }
    last == Some(Tok::Punct(';')) && !split_script(text).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<&str> {
        split_script(script).iter().map(|s| s.text).collect()
    }

    #[test]
    fn semicolons_in_strings_and_comments_do_not_split() {
        let script = "COPY T FROM 'x;y' (DELIM=\";\"); // a; comment\n\
                      /* block; comment */ DROP TABLE T;\n-- trailing; comment";
        assert_eq!(
            texts(script),
            ["COPY T FROM 'x;y' (DELIM=\";\")", "DROP TABLE T"]
        );
    }

    #[test]
    fn backticked_names_keep_semicolons_and_comment_marks() {
        let script = "CREATE NODE TABLE `a;b--c//d`(id INT64, PRIMARY KEY(id)); DROP TABLE `x;y`";
        assert_eq!(
            texts(script),
            [
                "CREATE NODE TABLE `a;b--c//d`(id INT64, PRIMARY KEY(id))",
                "DROP TABLE `x;y`"
            ]
        );
    }

    #[test]
    fn escaped_quotes_stay_inside_the_string() {
        assert_eq!(
            texts(r"COPY T FROM 'it\'s;here.csv'; DROP TABLE T"),
            [r"COPY T FROM 'it\'s;here.csv'", "DROP TABLE T"]
        );
    }

    #[test]
    fn statements_know_where_they_start() {
        let script = "DROP TABLE A;\n  -- note\n  DROP TABLE B";
        let statements = split_script(script);
        assert_eq!(statements[1].text, "DROP TABLE B");
        assert_eq!(
            statements[1].byte,
            script.find("DROP TABLE B").expect("in script")
        );
    }

    #[test]
    fn empty_statements_are_left_out() {
        assert!(split_script(" ;; -- nothing\n ; ").is_empty());
    }

    #[test]
    fn a_prompt_runs_only_after_a_statement_ending_semicolon() {
        assert!(ends_statement("DROP TABLE T;"));
        assert!(ends_statement("DROP TABLE T; -- done"));
        assert!(!ends_statement("COPY T FROM 'a;"));
        assert!(!ends_statement("CREATE NODE TABLE `a;"));
        assert!(!ends_statement("CREATE NODE TABLE T("));
        assert!(!ends_statement(""));
        assert!(!ends_statement(";"));
    }
}
