import ArgumentParser
import SwiftGrad

/// A dtype the command line names: `f32` or `bf16`.
enum DTypeChoice: String, ExpressibleByArgument, CaseIterable {
    case f32, bf16

    /// The tensor dtype it names.
    var dtype: DType { self == .f32 ? .float32 : .bfloat16 }
}

/// `--weights f32|bf16`: the dtype a loaded model holds its weight matrices in.
struct WeightsOption: ParsableArguments {
    @Option(help: "f32, or bf16: hold the weight matrices in bfloat16 (half their memory; products on bfloat16 operands with float32 sums; biases and norms stay float32). (default: f32)")
    var weights: DTypeChoice = .f32

    /// Converts `model`'s weight matrices to the dtype asked for.
    func apply(to model: Module) {
        if weights == .bf16 { model.convertParameters(to: .bfloat16) }
    }
}
