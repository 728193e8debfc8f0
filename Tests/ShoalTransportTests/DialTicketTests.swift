import ShoalTestSupport
import Testing

@testable import ShoalTransport

/// The hand-over between a dial and the task waiting for it, whichever comes first.
@Suite("dial tickets")
struct DialTicketTests {
    /// The ticket's answer to a waiter, or nil when it gave none within 5 s (a waiter left
    /// hanging is the bug these tests look for).
    func waited(_ ticket: DialTicket) async -> Result<PeerConnection, TransportError>? {
        await value(within: .seconds(5)) { await withCheckedContinuation { ticket.wait($0) } }
    }

    @Test("a dial that is answered before its caller waits still delivers that answer, not a cancellation")
    func answerBeforeWait() async {
        let ticket = DialTicket()
        #expect(ticket.answer(.failure(.connectFailed(address: "10.0.0.1:7946", reason: "refused"))))
        let answer = await waited(ticket)
        guard case .failure(.connectFailed(let address, _)) = answer else {
            Issue.record("the early answer was lost: \(answer.map { "\($0)" } ?? "no answer within 5 s")")
            return
        }
        #expect(address == "10.0.0.1:7946")
    }

    @Test("a ticket cancelled before its caller waits answers cancelled, and a later answer is refused")
    func cancelBeforeWait() async {
        let ticket = DialTicket()
        ticket.cancel()
        #expect(!ticket.answer(.failure(.shuttingDown)), "an answer after the cancel was taken")
        let answer = await waited(ticket)
        guard case .failure(.cancelled) = answer else {
            Issue.record("a cancelled ticket did not answer cancelled: \(answer.map { "\($0)" } ?? "no answer within 5 s")")
            return
        }
    }
}
