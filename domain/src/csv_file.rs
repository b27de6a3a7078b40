//! Reading a CSV file with a header, as both imports (actuals, the ledger) need it: a UTF-8 BOM
//! skipped, cells trimmed, every header problem reported at once, each record with the line an
//! editor shows (the header is line 1).

use std::collections::HashMap;

use crate::variance::RowError;

/// A problem at `line` of the file.
pub(crate) fn row_error(line: u64, column: &str, reason: String) -> RowError {
    RowError { line, column: column.to_string(), reason }
}

/// An open file: the position of each known column in its header, then its records.
pub(crate) struct CsvFile<'a> {
    reader: csv::Reader<&'a [u8]>,
    width: usize,
    pub columns: HashMap<&'static str, usize>,
}

impl<'a> CsvFile<'a> {
    /// Reads the header. An unreadable header, an unknown or repeated column and a missing
    /// `required` one are errors, all returned; `expected` opens the unknown-column message
    /// ("expected", "expected some of"), which then lists `known`.
    pub fn open(bytes: &'a [u8], known: &[&'static str], required: &[&'static str], expected: &str) -> Result<Self, Vec<RowError>> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(bytes);
        let headers = match reader.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(vec![row_error(1, "header", format!("unreadable header: {e}"))]),
        };
        let names: Vec<String> = headers.iter().map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase()).collect();
        let mut columns = HashMap::new();
        let mut errors = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match known.iter().find(|c| **c == name) {
                Some(c) => {
                    if columns.insert(*c, i).is_some() {
                        errors.push(row_error(1, name, "column appears twice".into()));
                    }
                }
                None => errors.push(row_error(1, name, format!("unknown column; {expected} {}", known.join(", ")))),
            }
        }
        for c in required {
            if !columns.contains_key(c) {
                errors.push(row_error(1, c, "required column is missing from the header".into()));
            }
        }
        if errors.is_empty() {
            Ok(CsvFile { reader, width: names.len(), columns })
        } else {
            Err(errors)
        }
    }

    /// Reads the next record into `record` and answers its line; `None` at the end. An error means
    /// the rest of the file cannot be read: report it and stop.
    pub fn next_record(&mut self, record: &mut csv::ByteRecord) -> Option<Result<u64, RowError>> {
        let line = self.reader.position().line();
        match self.reader.read_byte_record(record) {
            Ok(false) => None,
            Ok(true) => Some(Ok(record.position().map_or(line, |p| p.line()))),
            Err(e) => Some(Err(row_error(line, "row", format!("unreadable: {e}")))),
        }
    }

    /// The error for a record with another number of fields than the header, if it has.
    pub fn width_error(&self, line: u64, record: &csv::ByteRecord) -> Option<RowError> {
        (record.len() != self.width).then(|| row_error(line, "row", format!("has {} fields; the header has {}", record.len(), self.width)))
    }
}
