//! Appending short, variable-length byte strings without a `memcpy` call per string.
//!
//! A copy of a length known only at run time becomes a call into libc's `memmove`, which for
//! strings of a few bytes costs more than the copy. Here every append copies a fixed-size block
//! (a handful of vector moves the compiler inlines) and then cuts the buffer back to the real
//! length. The bytes past the cut are never visible.

/// Bytes of a [`Short`] string.
pub(crate) const SHORT_BYTES: usize = 16;

/// Appends the first `len` bytes of `block` to `out` by copying all `N` of them and truncating.
#[inline(always)]
pub(crate) fn push_prefix<const N: usize>(out: &mut Vec<u8>, block: &[u8; N], len: usize) {
    debug_assert!(len <= N);
    let end = out.len() + len;
    out.extend_from_slice(block);
    out.truncate(end);
}

/// A string of at most [`SHORT_BYTES`] bytes, stored padded so it appends with [`push_prefix`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Short {
    /// The string, then zero padding.
    bytes: [u8; SHORT_BYTES],
    /// Length of the string; `<= SHORT_BYTES`.
    len: u8,
}

impl Short {
    /// `text` as a short string; panics (at compile time in a `const`) when it is too long.
    pub(crate) const fn new(text: &[u8]) -> Self {
        assert!(text.len() <= SHORT_BYTES, "short string too long");
        let mut bytes = [0; SHORT_BYTES];
        let mut i = 0;
        while i < text.len() {
            bytes[i] = text[i];
            i += 1;
        }
        Self {
            bytes,
            len: text.len() as u8,
        }
    }

    /// The string.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Appends the string to `out`.
    #[inline(always)]
    pub(crate) fn push_to(&self, out: &mut Vec<u8>) {
        push_prefix(out, &self.bytes, usize::from(self.len));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_append_leaves_only_the_prefix() {
        let mut out = b"ab".to_vec();
        push_prefix(&mut out, b"cdefgh", 3);
        assert_eq!(out, b"abcde");
        push_prefix(&mut out, b"xyz", 0);
        assert_eq!(out, b"abcde");
    }

    #[test]
    fn short_strings_append_exactly() {
        let mut out = Vec::new();
        Short::new(b"Firefox").push_to(&mut out);
        Short::new(b"").push_to(&mut out);
        Short::new(b"0123456789abcdef").push_to(&mut out);
        assert_eq!(out, b"Firefox0123456789abcdef");
        assert_eq!(Short::new(b"Edge").as_bytes(), b"Edge");
    }
}
