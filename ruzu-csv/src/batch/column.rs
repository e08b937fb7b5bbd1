//! Column buffers of a batch (Arrow-style) and the borrowed views handed to consumers.

use super::arena::{Arena, ArenaSlice};
use super::bitmap::Bitmap;
use crate::types::{DataType, Interval};

/// Variable-size values: `offsets` (one more than rows, starting at 0) into bytes that live in
/// the batch arena.
///
/// Invariants: `offsets` is non-decreasing, `offsets[0] == 0`, and the last offset is `used`,
/// which is at most the length of `data`.
#[derive(Debug)]
pub(crate) struct VarBytes {
    pub(crate) offsets: Vec<u32>,
    data: Option<ArenaSlice>,
    used: usize,
}

impl VarBytes {
    fn with_capacity(rows: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        VarBytes {
            offsets,
            data: None,
            used: 0,
        }
    }

    /// Bytes stored so far.
    pub(crate) fn used_bytes(&self) -> usize {
        self.used
    }

    /// Makes room for `additional` more bytes, so the next appends of that many bytes do not
    /// allocate. Decoders call it once per column with the column's total.
    pub(crate) fn reserve(&mut self, arena: &Arena, additional: usize) {
        let needed = self.used + additional;
        assert!(
            u32::try_from(needed).is_ok(),
            "invariant: a batch column holds less than 4 GiB (chunks are bounded)"
        );
        let capacity = self.data.as_ref().map_or(0, Arena::len_of);
        if needed <= capacity {
            return;
        }
        let new_len = needed.max(capacity * 2).max(256);
        self.data = Some(match self.data.take() {
            None => arena.alloc_zeroed(new_len),
            Some(old) => arena.grow(old, new_len),
        });
    }

    /// Appends one value.
    pub(crate) fn push(&mut self, arena: &mut Arena, value: &[u8]) {
        if value.is_empty() {
            // Nothing to store, and no data slice may exist yet (reserve(0) allocates none).
            self.push_empty();
            return;
        }
        self.reserve(arena, value.len());
        let data = self
            .data
            .as_ref()
            .expect("invariant: reserve allocated the data slice");
        arena.bytes_mut(data)[self.used..self.used + value.len()].copy_from_slice(value);
        self.used += value.len();
        self.offsets.push(self.used as u32);
    }

    /// Appends values in bulk with one reservation: `fill` gets the `additional` free bytes,
    /// the offsets and the absolute offset of the free bytes' start; it writes values into the
    /// free bytes, pushes one end offset (absolute) per value, and returns the bytes written.
    ///
    /// # Panics
    ///
    /// If `fill` reports more than `additional` bytes written.
    pub(crate) fn append_bulk(
        &mut self,
        arena: &mut Arena,
        additional: usize,
        fill: impl FnOnce(&mut [u8], &mut Vec<u32>, usize) -> usize,
    ) {
        self.reserve(arena, additional);
        let written = match self.data.as_ref() {
            None => fill(&mut [], &mut self.offsets, self.used),
            Some(data) => {
                let free = &mut arena.bytes_mut(data)[self.used..self.used + additional];
                fill(free, &mut self.offsets, self.used)
            }
        };
        assert!(
            written <= additional,
            "invariant: a bulk append writes at most what it reserved"
        );
        self.used += written;
    }

    /// Appends an empty value (for NULL rows).
    pub(crate) fn push_empty(&mut self) {
        self.offsets.push(self.used as u32);
    }

    /// The value bytes written so far.
    pub(crate) fn bytes<'a>(&'a self, arena: &'a Arena) -> &'a [u8] {
        match &self.data {
            None => &[],
            Some(data) => &arena.bytes(data)[..self.used],
        }
    }

    fn clear(&mut self) {
        self.offsets.clear();
        self.offsets.push(0);
        self.data = None;
        self.used = 0;
    }
}

/// Typed value buffers of one column.
#[derive(Debug)]
pub(crate) enum Values {
    Bool(Bitmap),
    Int8(Vec<i8>),
    Int16(Vec<i16>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Int128(Vec<i128>),
    UInt8(Vec<u8>),
    UInt16(Vec<u16>),
    UInt32(Vec<u32>),
    UInt64(Vec<u64>),
    Float(Vec<f32>),
    Double(Vec<f64>),
    Date(Vec<i32>),
    Timestamp(Vec<i64>),
    Interval(Vec<Interval>),
    Uuid(Vec<u128>),
    String(VarBytes),
    Blob(VarBytes),
}

/// Applies `$body` to the vector of any fixed-width variant bound as `$v`; `$var` handles the
/// two variable-size variants and `$bool` the bitmap.
macro_rules! match_values {
    ($values:expr, $v:ident => $body:expr, var $w:ident => $var:expr, bool $b:ident => $bool:expr) => {
        match $values {
            Values::Bool($b) => $bool,
            Values::Int8($v) => $body,
            Values::Int16($v) => $body,
            Values::Int32($v) => $body,
            Values::Int64($v) => $body,
            Values::Int128($v) => $body,
            Values::UInt8($v) => $body,
            Values::UInt16($v) => $body,
            Values::UInt32($v) => $body,
            Values::UInt64($v) => $body,
            Values::Float($v) => $body,
            Values::Double($v) => $body,
            Values::Date($v) => $body,
            Values::Timestamp($v) => $body,
            Values::Interval($v) => $body,
            Values::Uuid($v) => $body,
            Values::String($w) | Values::Blob($w) => $var,
        }
    };
}

impl Values {
    fn with_capacity(data_type: DataType, rows: usize) -> Self {
        match data_type {
            DataType::Bool => Values::Bool(Bitmap::with_capacity(rows)),
            DataType::Int8 => Values::Int8(Vec::with_capacity(rows)),
            DataType::Int16 => Values::Int16(Vec::with_capacity(rows)),
            DataType::Int32 => Values::Int32(Vec::with_capacity(rows)),
            DataType::Int64 => Values::Int64(Vec::with_capacity(rows)),
            DataType::Int128 => Values::Int128(Vec::with_capacity(rows)),
            DataType::UInt8 => Values::UInt8(Vec::with_capacity(rows)),
            DataType::UInt16 => Values::UInt16(Vec::with_capacity(rows)),
            DataType::UInt32 => Values::UInt32(Vec::with_capacity(rows)),
            DataType::UInt64 => Values::UInt64(Vec::with_capacity(rows)),
            DataType::Float => Values::Float(Vec::with_capacity(rows)),
            DataType::Double => Values::Double(Vec::with_capacity(rows)),
            DataType::Date => Values::Date(Vec::with_capacity(rows)),
            DataType::Timestamp => Values::Timestamp(Vec::with_capacity(rows)),
            DataType::Interval => Values::Interval(Vec::with_capacity(rows)),
            DataType::Uuid => Values::Uuid(Vec::with_capacity(rows)),
            DataType::String => Values::String(VarBytes::with_capacity(rows)),
            DataType::Blob => Values::Blob(VarBytes::with_capacity(rows)),
        }
    }

    /// Number of values.
    pub(crate) fn len(&self) -> usize {
        match_values!(self, v => v.len(), var w => w.offsets.len() - 1, bool b => b.len())
    }

    /// Appends the type's zero (for NULL rows).
    pub(crate) fn push_default(&mut self) {
        match_values!(self, v => v.push(Default::default()), var w => w.push_empty(), bool b => b.push(false))
    }

    fn clear(&mut self) {
        match_values!(self, v => v.clear(), var w => w.clear(), bool b => b.clear())
    }

    fn shrink_to(&mut self, rows: usize) {
        match_values!(self, v => v.shrink_to(rows), var w => w.offsets.shrink_to(rows + 1), bool b => b.shrink_to(rows))
    }

    fn capacity_bytes(&self) -> usize {
        match_values!(
            self,
            v => v.capacity() * std::mem::size_of_val(&v.first().copied().unwrap_or_default()),
            var w => w.offsets.capacity() * 4,
            bool b => b.capacity_bytes()
        )
    }
}

/// One column of a batch: validity plus values. Both always have the batch's row count.
#[derive(Debug)]
pub(crate) struct Column {
    pub(crate) data_type: DataType,
    /// Bit set = value present; clear = NULL.
    pub(crate) validity: Bitmap,
    pub(crate) values: Values,
}

impl Column {
    pub(crate) fn with_capacity(data_type: DataType, rows: usize) -> Self {
        Column {
            data_type,
            validity: Bitmap::with_capacity(rows),
            values: Values::with_capacity(data_type, rows),
        }
    }

    /// Appends a NULL.
    pub(crate) fn push_null(&mut self) {
        self.validity.push(false);
        self.values.push_default();
    }

    pub(crate) fn clear(&mut self) {
        self.validity.clear();
        self.values.clear();
    }

    /// Shrinks buffers that grew past twice `rows`.
    pub(crate) fn shrink_if_grown(&mut self, rows: usize) {
        if self.capacity_bytes() > 2 * Column::with_capacity(self.data_type, 0).row_bytes() * rows {
            self.validity.shrink_to(rows);
            self.values.shrink_to(rows);
        }
    }

    fn row_bytes(&self) -> usize {
        self.data_type.fixed_width_bytes().unwrap_or(4) + 1
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        self.validity.capacity_bytes() + self.values.capacity_bytes()
    }

    /// A borrowed view; `arena` must be the arena of the batch that owns this column.
    pub(crate) fn view<'a>(&'a self, arena: &'a Arena) -> ColumnRef<'a> {
        let data = match &self.values {
            Values::Bool(b) => ColumnData::Bool(b),
            Values::Int8(v) => ColumnData::Int8(v),
            Values::Int16(v) => ColumnData::Int16(v),
            Values::Int32(v) => ColumnData::Int32(v),
            Values::Int64(v) => ColumnData::Int64(v),
            Values::Int128(v) => ColumnData::Int128(v),
            Values::UInt8(v) => ColumnData::UInt8(v),
            Values::UInt16(v) => ColumnData::UInt16(v),
            Values::UInt32(v) => ColumnData::UInt32(v),
            Values::UInt64(v) => ColumnData::UInt64(v),
            Values::Float(v) => ColumnData::Float(v),
            Values::Double(v) => ColumnData::Double(v),
            Values::Date(v) => ColumnData::Date(v),
            Values::Timestamp(v) => ColumnData::Timestamp(v),
            Values::Interval(v) => ColumnData::Interval(v),
            Values::Uuid(v) => ColumnData::Uuid(v),
            Values::String(w) => ColumnData::String(VarView {
                offsets: &w.offsets,
                data: w.bytes(arena),
            }),
            Values::Blob(w) => ColumnData::Blob(VarView {
                offsets: &w.offsets,
                data: w.bytes(arena),
            }),
        };
        ColumnRef {
            data_type: self.data_type,
            validity: &self.validity,
            data,
        }
    }
}

/// Borrowed variable-size values: value `i` is `data[offsets[i]..offsets[i + 1]]`.
#[derive(Clone, Copy, Debug)]
pub struct VarView<'a> {
    offsets: &'a [u32],
    data: &'a [u8],
}

impl<'a> VarView<'a> {
    /// The bytes of value `index` (empty for NULL rows).
    ///
    /// # Panics
    ///
    /// If `index` is not a row of the batch.
    #[inline]
    pub fn get(&self, index: usize) -> &'a [u8] {
        &self.data[self.offsets[index] as usize..self.offsets[index + 1] as usize]
    }

    /// Offsets, one more than the number of rows, starting at 0.
    pub fn offsets(&self) -> &'a [u32] {
        self.offsets
    }

    /// All value bytes, back to back.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there is no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The typed values of one column, borrowed from a batch.
///
/// NULL rows hold the type's zero (empty for `String`/`Blob`); check
/// [`ColumnRef::is_valid`] first.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
#[expect(
    missing_docs,
    reason = "each variant is named after its DataType, whose docs give the encoding"
)]
pub enum ColumnData<'a> {
    Bool(&'a Bitmap),
    Int8(&'a [i8]),
    Int16(&'a [i16]),
    Int32(&'a [i32]),
    Int64(&'a [i64]),
    Int128(&'a [i128]),
    UInt8(&'a [u8]),
    UInt16(&'a [u16]),
    UInt32(&'a [u32]),
    UInt64(&'a [u64]),
    Float(&'a [f32]),
    Double(&'a [f64]),
    Date(&'a [i32]),
    Timestamp(&'a [i64]),
    Interval(&'a [Interval]),
    Uuid(&'a [u128]),
    /// UTF-8 strings (validated when decoded).
    String(VarView<'a>),
    Blob(VarView<'a>),
}

/// One column of a batch, borrowed: its type, validity and values.
#[derive(Clone, Copy, Debug)]
pub struct ColumnRef<'a> {
    data_type: DataType,
    validity: &'a Bitmap,
    data: ColumnData<'a>,
}

impl<'a> ColumnRef<'a> {
    /// The column's type.
    pub fn data_type(&self) -> DataType {
        self.data_type
    }

    /// Validity: bit set = value present, clear = NULL.
    pub fn validity(&self) -> &'a Bitmap {
        self.validity
    }

    /// Whether row `index` holds a value (is not NULL).
    #[inline]
    pub fn is_valid(&self, index: usize) -> bool {
        self.validity.get(index)
    }

    /// Number of NULL rows.
    pub fn null_count(&self) -> usize {
        self.validity.count_zeros()
    }

    /// The typed values.
    pub fn data(&self) -> ColumnData<'a> {
        self.data
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.validity.len()
    }

    /// Whether the column has no row.
    pub fn is_empty(&self) -> bool {
        self.validity.is_empty()
    }
}
