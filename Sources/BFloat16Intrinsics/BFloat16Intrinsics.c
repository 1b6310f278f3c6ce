// The module is its header (static inline functions); SwiftPM needs a source file to build a C target.
