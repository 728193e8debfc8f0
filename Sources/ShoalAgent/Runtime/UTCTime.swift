#if canImport(Glibc)
import Glibc
#endif

/// A UTC instant split into calendar fields with integer arithmetic (the proleptic Gregorian
/// calendar, Howard Hinnant's days-to-civil algorithm), for log timestamps and the HTTP `Date`
/// header.
///
/// Foundation's formatters go through `Calendar` and `TimeZone`, which load ICU's time-zone
/// data into the agent; an agent that only ever prints UTC needs none of it.
struct UTCTime: Equatable {
    let year: Int
    /// 1...12
    let month: Int
    /// 1...31
    let day: Int
    let hour: Int
    let minute: Int
    let second: Int
    /// 0 is Sunday.
    let weekday: Int

    init(unixSeconds: Int64) {
        let days = Self.floorDivide(unixSeconds, 86_400)
        let secondOfDay = Int(unixSeconds - days * 86_400)
        hour = secondOfDay / 3_600
        minute = secondOfDay % 3_600 / 60
        second = secondOfDay % 60
        // 1970-01-01 was a Thursday.
        weekday = Int((days % 7 + 11) % 7)
        // Shift the epoch to 0000-03-01 so that leap days fall at the end of a 400-year era.
        let shifted = days + 719_468
        let era = Self.floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * monthFromMarch + 2) / 5 + 1)
        month = Int(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
    }

    /// The wall clock, now.
    static func now() -> UTCTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UTCTime(unixSeconds: Int64(spec.tv_sec))
    }

    /// `2026-11-27T04:31:07Z`
    var iso8601: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T\(timeOfDay)Z"
    }

    /// RFC 9110's IMF-fixdate, `Fri, 27 Nov 2026 04:31:07 GMT`.
    var httpDate: String {
        "\(Self.weekdays[weekday]), \(Self.pad(day, 2)) \(Self.months[month - 1]) \(Self.pad(year, 4)) \(timeOfDay) GMT"
    }

    /// `04:31:07`
    private var timeOfDay: String { "\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2))" }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
