import ArgumentParser
import Foundation
import SwiftGrad

extension TrainCommand {
    /// Whether this command trains (or resumes) a language model: `--arch gpt`, or `--resume` of a gpt run.
    var trainsLanguageModel: Bool {
        if options.arch == .gpt { return true }
        guard resume, options.arch == nil else { return false }
        return (try? RunFolder(url: URL(fileURLWithPath: out)).loadLanguageModelSettings()) != nil
    }

    /// The checks of `--arch gpt`'s options: the image options do not apply.
    func validateLanguageModelOptions() throws {
        for (flag, given) in [("--data", options.data != nil), ("--dataset", options.dataset != nil),
                              ("--channels", options.channels != nil), ("--hidden", options.hidden != nil),
                              ("--augment", options.augment != nil), ("--limit", options.limit != nil)] where given {
            throw ValidationError("\(flag) applies to the image classifiers, not --arch gpt (whose text comes from --text)")
        }
        try options.validate(resuming: resume)
        try languageModel.validate(epochs: options.epochs)
    }

    /// `swiftgrad train --arch gpt`: trains (or resumes) a character-level GPT, reports each validation, and ends
    /// with the validation loss and a sample of the model's text.
    func trainLanguageModel() throws {
        guard try Launch.communicator().worldSize == 1 else {
            throw ValidationError("--arch gpt trains in one process; data-parallel training of it under mpirun is not supported yet")
        }
        Interrupt.install()
        let folder = RunFolder(url: URL(fileURLWithPath: out))
        let saved = resume ? try folder.loadLanguageModelSettings() : nil
        if let saved { try saved.checkAgreement(options: options, model: languageModel) }
        let textPath = saved?.text ?? languageModel.text
        let corpus = try textPath.map { try TextCorpus(file: URL(fileURLWithPath: $0)) } ?? TextCorpus.standard()
        let characters = corpus.text.unicodeScalars.count
        if let saved, saved.textCharacters != characters {
            throw ValidationError("the saved run learnt a text of \(saved.textCharacters) characters, but \(corpus.source) has \(characters) now")
        }
        let vocabulary = CharacterVocabulary(text: corpus.text)
        let settings = saved ?? LanguageModelSettings(options: options, model: languageModel, corpus: corpus,
                                                      vocabularySize: vocabulary.count, trainTokens: characters * 9 / 10)
        let run = try LanguageModelRun(settings: settings, corpus: corpus, vocabulary: vocabulary, folder: folder,
                                       live: !json && isatty(2) == 1)
        let m = settings.model
        print("text: \(corpus.source), \(characters) characters (\(run.split.train) to train on, \(run.split.validation) to validate), \(vocabulary.count) distinct")
        print("model: GPT, \(m.layers) layers of \(m.embedding) features in \(m.heads) heads, context \(m.contextLength) (\(run.model.parameterCount) parameters)")
        print("training: \(settings.description)")
        print("threads: \(Parallelism.threadCount), GEMM kernel: \(KernelSettings.family)")
        if saved != nil {
            try run.learner.restore(from: folder.url)
            let learner = run.learner
            print(learner.epoch < settings.validations
                ? "resuming at step \(learner.epoch * settings.stepsPerValidation + learner.batchIndex + 1) from \(folder.url.path)"
                : "the saved run in \(folder.url.path) is finished; sampling from it")
        }
        fflush(nil)
        try run.fit()
        let metrics = LanguageModelMetrics(run.learner, stepsPerEpoch: settings.stepsPerValidation, stepTimes: run.stepTimes)
        print(String(format: "\nvalidation loss %.4f nats per character after %d steps (median step %.1f ms); files in %@",
                     metrics.validationLoss, metrics.steps, metrics.medianStepMilliseconds, folder.url.path))
        let start = vocabulary.symbols.firstIndex(of: "\n") ?? 0
        let sample = run.model.generate(after: [start], count: 240, sampling: Sampling(temperature: 0.8, topK: 200),
                                        generator: RandomGenerator(seed: settings.seed))
        print("\nsample (swiftgrad generate --model \(folder.url.path) for more):\n" + vocabulary.decode(sample))
        if json { print(metrics.json) }
    }
}
