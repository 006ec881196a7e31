import ArgumentParser

/// `--scheduler` of `poster generate` and `poster eval ocr`: the diffusers scheduler class to sample with.
enum SchedulerName: String, ExpressibleByArgument, CaseIterable {
    case ddim, dpm = "dpm++", euler
    var className: String {
        switch self {
        case .ddim: "DDIMScheduler"
        case .dpm: "DPMSolverMultistepScheduler"
        case .euler: "EulerDiscreteScheduler"
        }
    }
}
