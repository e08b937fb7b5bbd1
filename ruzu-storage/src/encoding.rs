//! Little-endian encoding of metadata: a growable [`Encoder`] and a bounds-checked [`Decoder`]
//! that turns every short read or impossible value into [`StorageError::Corrupt`].
//!
//! Integers are fixed-width little-endian (`u8`, `u32`, `u64`); a string is a `u32` byte length
//! followed by UTF-8 bytes; a byte string is a `u64` length followed by the bytes.

use crate::error::{Result, StorageError};

/// Appends little-endian values to a byte vector.
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A collection length; collections in metadata are far below `u32::MAX` entries.
    pub(crate) fn len32(&mut self, len: usize) {
        self.u32(u32::try_from(len).expect("invariant: metadata collections have < 2^32 entries"));
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.len32(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads little-endian values from a byte slice that came from disk.
#[derive(Debug)]
pub(crate) struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Structure being decoded, for errors.
    what: &'static str,
    /// File offset of `buf[0]`, for errors.
    base: u64,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(buf: &'a [u8], what: &'static str, base: u64) -> Self {
        Decoder {
            buf,
            pos: 0,
            what,
            base,
        }
    }

    /// A corruption error at the current position.
    pub(crate) fn error(&self, reason: impl Into<String>) -> StorageError {
        StorageError::corrupt(self.what, self.base + self.pos as u64, reason)
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(self.error(format!(
                "truncated: need {n} bytes, {} left",
                self.remaining()
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A collection length, checked against the bytes left so that a corrupt length cannot make
    /// the caller reserve unbounded memory: each entry takes at least `min_entry_bytes`.
    pub(crate) fn len32(&mut self, min_entry_bytes: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_entry_bytes.max(1)) > self.remaining() {
            return Err(self.error(format!("count {n} exceeds the bytes left")));
        }
        Ok(n)
    }

    pub(crate) fn str(&mut self) -> Result<String> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| self.error("string is not UTF-8"))
    }

    pub(crate) fn bytes(&mut self) -> Result<Vec<u8>> {
        let n = self.u64()?;
        let n = usize::try_from(n).map_err(|_| self.error("byte string too long"))?;
        Ok(self.take(n)?.to_vec())
    }

    pub(crate) fn raw(&mut self, n: usize) -> Result<&'a [u8]> {
        self.take(n)
    }

    /// Fails unless every byte was consumed.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.remaining() != 0 {
            return Err(self.error(format!("{} trailing bytes", self.remaining())));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_truncation_is_corrupt() -> Result<()> {
        let mut e = Encoder::new();
        e.u8(7);
        e.u32(0xDEAD_BEEF);
        e.u64(u64::MAX - 1);
        e.str("Person");
        e.bytes(b"\x00\x01");
        let bytes = e.into_bytes();
        let mut d = Decoder::new(&bytes, "test", 100);
        assert_eq!(d.u8()?, 7);
        assert_eq!(d.u32()?, 0xDEAD_BEEF);
        assert_eq!(d.u64()?, u64::MAX - 1);
        assert_eq!(d.str()?, "Person");
        assert_eq!(d.bytes()?, b"\x00\x01");
        d.finish()?;

        let mut short = Decoder::new(&bytes[..10], "test", 100);
        short.u8()?;
        short.u32()?;
        match short.u64() {
            Err(StorageError::Corrupt { what, offset, .. }) => {
                assert_eq!((what, offset), ("test", 105));
            }
            other => panic!("expected corrupt, got {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn huge_count_is_rejected_before_allocation() {
        let bytes = u32::MAX.to_le_bytes();
        let mut d = Decoder::new(&bytes, "test", 0);
        assert!(matches!(d.len32(8), Err(StorageError::Corrupt { .. })));
    }
}
