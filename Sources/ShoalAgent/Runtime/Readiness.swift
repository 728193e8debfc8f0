/// Counts listeners as they bind and fires once when all of them are up, so that
/// systemd's READY=1 means every socket really accepts connections.
actor Readiness {
    private var waiting: Set<String>
    private let onReady: @Sendable () async -> Void

    init(listeners: Set<String>, onReady: @escaping @Sendable () async -> Void) {
        waiting = listeners
        self.onReady = onReady
    }

    func bound(_ listener: String) async {
        guard waiting.remove(listener) != nil, waiting.isEmpty else { return }
        await onReady()
    }
}
