//! Any bytes as a `.npy` file: an array or an error, never a panic, a hang
//! or an allocation the header alone asks for.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = sc_patches::npy::read_npy_bytes(data, std::path::Path::new("fuzz.npy")) {
        let (rows, cols) = a.shape();
        assert_eq!(a.to_f64().data.len(), rows * cols);
    }
});
