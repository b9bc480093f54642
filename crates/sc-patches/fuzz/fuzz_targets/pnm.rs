//! Any bytes as a PGM/PPM file: an image or an error, never a panic, a hang
//! or an allocation the header alone asks for.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sc_patches::image::{ReadOptions, decode_pnm};

fuzz_target!(|data: &[u8]| {
    for gray in [false, true] {
        if let Ok(img) = decode_pnm(data, std::path::Path::new("fuzz.pgm"), ReadOptions { gray, ..ReadOptions::default() }) {
            assert_eq!(img.data.len(), img.width * img.height * img.channels);
        }
    }
});
