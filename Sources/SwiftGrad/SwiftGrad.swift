// The umbrella module: `import SwiftGrad` brings in every SwiftGrad module.
@_exported import FromScratch
@_exported import TensorCore
