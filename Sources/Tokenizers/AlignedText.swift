/// Text being normalised, one Unicode scalar at a time, each remembering which scalar of the original text it
/// came from, so that tokens can report offsets into the text the caller gave.
struct AlignedText {
    /// The normalised scalars.
    var scalars: [Unicode.Scalar]
    /// For each scalar, the index of the original scalar it comes from.
    var sources: [Int]

    /// The text as it is, each scalar its own source.
    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        sources = Array(scalars.indices)
    }

    init(scalars: [Unicode.Scalar], sources: [Int]) {
        (self.scalars, self.sources) = (scalars, sources)
    }

    /// Each scalar replaced by the scalars `transform` gives it (none to remove it), which keep its source.
    func mapping(_ transform: (Unicode.Scalar) -> [Unicode.Scalar]) -> AlignedText {
        var out = AlignedText(scalars: [], sources: [])
        out.scalars.reserveCapacity(scalars.count)
        out.sources.reserveCapacity(scalars.count)
        for (scalar, source) in zip(scalars, sources) {
            for replacement in transform(scalar) {
                out.scalars.append(replacement)
                out.sources.append(source)
            }
        }
        return out
    }
}
