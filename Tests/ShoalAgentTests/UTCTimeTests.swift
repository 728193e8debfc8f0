#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import ShoalAgent

@Suite("UTC time without Calendar")
struct UTCTimeTests {
    @Test("known instants format as RFC 9110 dates and ISO 8601")
    func knownInstants() {
        #expect(UTCTime(unixSeconds: 0).httpDate == "Thu, 01 Jan 1970 00:00:00 GMT")
        // RFC 9110's own example.
        #expect(UTCTime(unixSeconds: 784_111_777).httpDate == "Sun, 06 Nov 1994 08:49:37 GMT")
        // A leap day in a year divisible by 400, and the day after.
        #expect(UTCTime(unixSeconds: 951_782_400).httpDate == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(UTCTime(unixSeconds: 951_868_800).iso8601 == "2000-03-01T00:00:00Z")
        // The last second of a year, and before the epoch.
        #expect(UTCTime(unixSeconds: 1_798_761_599).iso8601 == "2026-12-31T23:59:59Z")
        #expect(UTCTime(unixSeconds: -1).httpDate == "Wed, 31 Dec 1969 23:59:59 GMT")
    }

    // The oracle is glibc's gmtime_r, not Foundation's Calendar: Calendar loads ICU, whose locks,
    // held while this process spawns agents for other tests, have hung the children.
    @Test("agrees with the C library's gmtime_r across four centuries")
    func agreesWithGmtime() {
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        var generator = SystemRandomNumberGenerator()
        while seconds < 10_413_792_000 {  // 2300-01-01
            let ours = UTCTime(unixSeconds: seconds)
            var clock = time_t(seconds)
            var theirs = tm()
            gmtime_r(&clock, &theirs)
            let same =
                ours.year == Int(theirs.tm_year) + 1900 && ours.month == Int(theirs.tm_mon) + 1
                && ours.day == Int(theirs.tm_mday) && ours.hour == Int(theirs.tm_hour)
                && ours.minute == Int(theirs.tm_min) && ours.second == Int(theirs.tm_sec)
                && ours.weekday == Int(theirs.tm_wday)
            #expect(same, "at \(seconds): \(ours.iso8601)")
            if !same { break }
            seconds += Int64.random(in: 1...8_000_000, using: &generator)
        }
    }
}
