//! [`IndexMeta`]: what a reader needs to find its way in an index image, and its 64-byte
//! serialized form.
//!
//! ```text
//! IndexMeta (META_BYTES = 64, little-endian):
//!   0  [u8; 4]  magic "RZPK"
//!   4  u16      format version (1)
//!   6  u8       key type (position in ruzu_csv::DataType::ALL)
//!   7  u8       reserved, 0
//!   8  u64      keys (unique keys in the index)
//!  16  u64      home pages (the hash range is spread over these)
//!  24  u64      pages (home pages plus overflow pages at the end)
//!  32  u64      overflow area bytes (stored right after the pages)
//!  40  [u8; 20] reserved, 0
//!  60  u32      crc32c of bytes 0..60
//! ```

use ruzu_csv::DataType;

use super::error::{PkIndexError, Result};
use super::page::PAGE_SIZE_BYTES;

/// Bytes of a serialized [`IndexMeta`].
pub const META_BYTES: usize = 64;
/// Format version written by this code.
pub const FORMAT_VERSION: u16 = 1;
const MAGIC: [u8; 4] = *b"RZPK";

/// Where the parts of an index image are and what it holds; stored by the caller (catalog)
/// next to the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexMeta {
    /// Type of the keys.
    pub key_type: DataType,
    /// Unique keys in the index.
    pub keys: u64,
    /// Pages over which the hash range is spread (`home_pages <= pages`).
    pub home_pages: u64,
    /// Pages in the image, starting at byte 0.
    pub pages: u64,
    /// Bytes of the overflow area (long string keys), right after the pages.
    pub overflow_bytes: u64,
}

impl IndexMeta {
    /// Byte position of the overflow area in the image.
    pub fn overflow_start(&self) -> u64 {
        self.pages * PAGE_SIZE_BYTES as u64
    }

    /// Total bytes of the image.
    pub fn image_bytes(&self) -> u64 {
        self.overflow_start() + self.overflow_bytes
    }

    /// The 64-byte serialized form.
    pub fn to_bytes(&self) -> [u8; META_BYTES] {
        let mut b = [0u8; META_BYTES];
        b[..4].copy_from_slice(&MAGIC);
        b[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        let type_code = DataType::ALL
            .iter()
            .position(|&t| t == self.key_type)
            .expect("invariant: every DataType is in DataType::ALL");
        b[6] = u8::try_from(type_code).expect("invariant: fewer than 256 types");
        b[8..16].copy_from_slice(&self.keys.to_le_bytes());
        b[16..24].copy_from_slice(&self.home_pages.to_le_bytes());
        b[24..32].copy_from_slice(&self.pages.to_le_bytes());
        b[32..40].copy_from_slice(&self.overflow_bytes.to_le_bytes());
        let crc = crc32c::crc32c(&b[..60]);
        b[60..].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Parses and checks the serialized form.
    ///
    /// # Errors
    ///
    /// [`PkIndexError::CorruptMeta`] when the length, magic, version, checksum, key type or the
    /// page counts are wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let corrupt = |reason| PkIndexError::CorruptMeta { reason };
        let b: &[u8; META_BYTES] = bytes.try_into().map_err(|_| corrupt("wrong length"))?;
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        if b[..4] != MAGIC {
            return Err(corrupt("bad magic"));
        }
        let crc = u32::from_le_bytes(b[60..].try_into().expect("4 bytes"));
        if crc32c::crc32c(&b[..60]) != crc {
            return Err(corrupt("checksum mismatch"));
        }
        if u16::from_le_bytes([b[4], b[5]]) != FORMAT_VERSION {
            return Err(corrupt("unknown format version"));
        }
        let key_type = *DataType::ALL
            .get(usize::from(b[6]))
            .ok_or(corrupt("unknown key type"))?;
        let meta = IndexMeta {
            key_type,
            keys: u64_at(8),
            home_pages: u64_at(16),
            pages: u64_at(24),
            overflow_bytes: u64_at(32),
        };
        if meta.home_pages == 0 || meta.home_pages > meta.pages || meta.pages > u64::from(u32::MAX)
        {
            return Err(corrupt("page counts out of range"));
        }
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_round_trips_and_detects_a_flipped_bit() {
        let meta = IndexMeta {
            key_type: DataType::String,
            keys: 12,
            home_pages: 3,
            pages: 4,
            overflow_bytes: 700,
        };
        let mut bytes = meta.to_bytes();
        assert_eq!(IndexMeta::from_bytes(&bytes).expect("valid"), meta);
        bytes[17] ^= 1;
        assert!(matches!(
            IndexMeta::from_bytes(&bytes),
            Err(PkIndexError::CorruptMeta { .. })
        ));
    }
}
