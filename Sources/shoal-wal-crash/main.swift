// A writer for the kill -9 test: appends batches to the Raft log in a directory and prints
// "durable <index>" after each batch's fsync returned, until it is killed. Entry data is a
// function of the index, so the test can check what it finds.
//
//   shoal-wal-crash <directory> <segment-size> <seed> [file-size-limit]
//
// It compacts now and then, so segments roll over and are removed while it runs. With a
// file-size limit (RLIMIT_FSIZE, which fails writes with EFBIG as a full disk fails them with
// ENOSPC) it stops at the first failed append with "full <last index>", exit status 3.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ShoalAgent
import ShoalConsensus
import ShoalRandom

/// The bytes the entry at `index` carries (the test recomputes them).
func payload(_ index: LogIndex) -> [UInt8] {
    let length = Int(index % 200) + 1
    return (0..<length).map { UInt8(truncatingIfNeeded: index &* 31 &+ UInt64($0)) }
}

func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count == 4 || arguments.count == 5, let segmentSize = Int(arguments[2]), let seed = UInt64(arguments[3])
else {
    say("usage: shoal-wal-crash <directory> <segment-size> <seed> [file-size-limit]")
    exit(2)
}
if arguments.count == 5, let limit = UInt64(arguments[4]) {
    signal(SIGXFSZ, SIG_IGN)
    var bound = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
    guard setrlimit(Int32(RLIMIT_FSIZE.rawValue), &bound) == 0 else {
        say("error setrlimit failed")
        exit(1)
    }
}

/// The writer's choices, replayed from the seed.
struct Choices {
    var generator: SeededGenerator

    mutating func below(_ bound: UInt64) -> UInt64 { generator.next() % bound }
}

func run(_ storage: RaftStorage, _ choices: inout Choices) throws(RaftStorageError) -> Never {
    var term = storage.hardState.term + 1
    while true {
        let first = storage.lastIndex + 1
        let count = choices.below(64) + 1
        let entries = (first..<first + count).map { Entry(term: term, index: $0, data: payload($0)) }
        let last = first + count - 1
        try storage.persist(snapshot: nil, entries: entries, hardState: HardState(term: term, commit: last))
        say("durable \(last)")
        if choices.below(20) == 0 { term += 1 }
        if choices.below(10) == 0, last > 500 {
            let through = last - 200
            let entryTerm = storage.entries.first { $0.index == through }?.term ?? term
            try storage.compact(
                through: Snapshot(metadata: SnapshotMetadata(index: through, term: entryTerm, configuration: .empty), data: payload(through)))
        }
    }
}

let storage: RaftStorage
do {
    storage = try RaftStorage(directory: arguments[1], segmentSize: segmentSize)
} catch {
    say("error \(error)")
    exit(1)
}
for notice in storage.recoveryNotices { say("notice \(notice)") }
say("opened \(storage.lastIndex)")
var choices = Choices(generator: SeededGenerator(seed: seed))
do {
    try run(storage, &choices)
} catch .diskFull {
    say("full \(storage.lastIndex)")
    exit(3)
} catch {
    say("error \(error)")
    exit(1)
}
