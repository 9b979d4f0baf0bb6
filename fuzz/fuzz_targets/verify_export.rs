//! Fuzzes agglo::checks::verify_export (see there for the property it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| agglo::checks::verify_export(data));
