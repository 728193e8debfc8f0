import Testing

@testable import ShoalTransport

/// The hand-over between a dial and the task waiting for it, whichever comes first.
@Suite("dial tickets")
struct DialTicketTests {
    func waited(_ ticket: DialTicket) async -> Result<PeerConnection, TransportError> {
        await withCheckedContinuation { ticket.wait($0) }
    }

    @Test("a dial that is answered before its caller waits still delivers that answer, not a cancellation")
    func answerBeforeWait() async {
        let ticket = DialTicket()
        #expect(ticket.answer(.failure(.connectFailed(address: "10.0.0.1:7946", reason: "refused"))))
        guard case .failure(.connectFailed(let address, _)) = await waited(ticket) else {
            Issue.record("the early answer was lost")
            return
        }
        #expect(address == "10.0.0.1:7946")
    }

    @Test("a ticket cancelled before its caller waits answers cancelled, and a later answer is refused")
    func cancelBeforeWait() async {
        let ticket = DialTicket()
        ticket.cancel()
        #expect(!ticket.answer(.failure(.shuttingDown)), "an answer after the cancel was taken")
        guard case .failure(.cancelled) = await waited(ticket) else {
            Issue.record("a cancelled ticket did not answer cancelled")
            return
        }
    }
}
