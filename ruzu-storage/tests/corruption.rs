//! Damaged files: a corrupt header slot falls back to the other slot, a corrupt metadata root
//! or truncated file is `StorageError::Corrupt`, and no damage makes `open` panic.

mod common;

use common::{WORKLOAD, expected_states, reopen, run, small_pool, snapshot};
use ruzu_storage::{FaultyBackend, PAGE_SIZE_BYTES, StorageError, Store};

const PAGE: usize = PAGE_SIZE_BYTES as usize;

/// The file after the whole workload, and the store's final header generation.
fn committed_image() -> (Vec<u8>, u64) {
    let backend = FaultyBackend::new();
    let mut store =
        Store::create_on(Box::new(backend.clone()), small_pool()).expect("create succeeds");
    let outcome = run(&mut store, WORKLOAD);
    assert!(outcome.error.is_none());
    (backend.contents(), store.generation())
}

fn newest_slot(generation: u64) -> usize {
    (generation % 2) as usize
}

#[test]
fn damaged_newest_header_falls_back_to_the_previous_commit() -> ruzu_storage::Result<()> {
    let states = expected_states(WORKLOAD)?;
    let (image, generation) = committed_image();
    let slot = newest_slot(generation);
    for byte in [0, 9, 17, 30, 45, 59, 61] {
        let mut damaged = image.clone();
        damaged[slot * PAGE + byte] ^= 0x40;
        let store = reopen(damaged)?;
        assert_eq!(store.generation(), generation - 1, "byte {byte}");
        assert_eq!(&snapshot(&store)?, &states[states.len() - 2], "byte {byte}");
        store.verify()?;
    }
    Ok(())
}

#[test]
fn both_headers_damaged_is_corrupt() {
    let (mut image, _) = committed_image();
    image[3] ^= 1;
    image[PAGE + 3] ^= 1;
    assert!(matches!(reopen(image), Err(StorageError::Corrupt { .. })));
}

#[test]
fn damaged_metadata_root_is_corrupt_not_a_silent_rollback() {
    let backend = FaultyBackend::new();
    let mut store = Store::create_on(Box::new(backend.clone()), small_pool()).expect("create");
    run(&mut store, WORKLOAD);
    let mut probe = vec![0u8; PAGE];
    // Find the root block: the page starting with its magic that the newest header names.
    let slot = newest_slot(store.generation());
    let image = backend.contents();
    let root_page = u64::from_le_bytes(
        image[slot * PAGE + 32..slot * PAGE + 40]
            .try_into()
            .expect("8"),
    );
    probe.copy_from_slice(&image[root_page as usize * PAGE..][..PAGE]);
    assert_eq!(&probe[..8], b"RUZUMETA");
    for byte in [0usize, 8, 16, 24, 40, 100] {
        let mut damaged = image.clone();
        damaged[root_page as usize * PAGE + byte] ^= 0x02;
        match reopen(damaged) {
            Err(StorageError::Corrupt { what, offset, .. }) => {
                assert_eq!(what, "metadata root");
                assert_eq!(offset, root_page * PAGE_SIZE_BYTES);
            }
            other => panic!("byte {byte}: expected corrupt root, got {other:?}"),
        }
    }
}

#[test]
fn truncated_or_foreign_files_are_corrupt() {
    let (image, _) = committed_image();
    for len in [0, 100, PAGE, 2 * PAGE + 1, image.len() - PAGE] {
        let r = reopen(image[..len].to_vec());
        assert!(
            matches!(r, Err(StorageError::Corrupt { .. })),
            "len {len}: {r:?}"
        );
    }
    let text = b"id,name\n1,Ann\n".repeat(1000);
    assert!(matches!(reopen(text), Err(StorageError::Corrupt { .. })));
}

#[test]
fn no_single_byte_damage_in_the_metadata_makes_open_panic() {
    let (image, _) = committed_image();
    // Every byte of both header slots' used part and of every page holding metadata-looking
    // data, flipped one at a time: open returns Ok (fallback) or an error, never panics.
    let mut positions: Vec<usize> = (0..64).chain(PAGE..PAGE + 64).collect();
    for page in 2..image.len() / PAGE {
        if &image[page * PAGE..page * PAGE + 8] == b"RUZUMETA" {
            positions.extend(page * PAGE..page * PAGE + 600);
        }
    }
    for pos in positions {
        for mask in [0x01u8, 0x80, 0xFF] {
            let mut damaged = image.clone();
            damaged[pos] ^= mask;
            if let Ok(store) = reopen(damaged) {
                store.verify().expect("an accepted state is consistent");
            }
        }
    }
}

#[test]
fn valid_checksum_over_nonsense_fields_is_still_rejected() {
    // A header whose checksum is right but whose root lies past the end of the file.
    let (mut image, generation) = committed_image();
    let slot = newest_slot(generation) * PAGE;
    image[slot + 32..slot + 40].copy_from_slice(&u64::MAX.to_le_bytes());
    let crc = crc32c::crc32c(&image[slot..slot + 60]);
    image[slot + 60..slot + 64].copy_from_slice(&crc.to_le_bytes());
    assert!(matches!(reopen(image), Err(StorageError::Corrupt { .. })));
}
