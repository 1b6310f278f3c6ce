// The functions are `static inline` in the header; SwiftPM needs a source file to build the target.
