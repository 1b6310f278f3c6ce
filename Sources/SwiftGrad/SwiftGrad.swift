// The umbrella module: `import SwiftGrad` brings in every SwiftGrad module.
@_exported import Checkpoints
@_exported import Datasets
@_exported import Distributed
@_exported import FromScratch
@_exported import NN
@_exported import Optimizers
@_exported import Pretrained
@_exported import TensorCore
@_exported import Tokenizers
@_exported import Training
