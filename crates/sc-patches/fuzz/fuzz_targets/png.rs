//! Any bytes as a PNG file: an image or an error, never a panic, a hang or
//! an allocation the header alone asks for.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sc_patches::image::{ReadOptions, decode_png};

fuzz_target!(|data: &[u8]| {
    for gray in [false, true] {
        if let Ok(img) = decode_png(data, std::path::Path::new("fuzz.png"), ReadOptions { gray, ..ReadOptions::default() }) {
            assert_eq!(img.data.len(), img.width * img.height * img.channels);
        }
    }
});
