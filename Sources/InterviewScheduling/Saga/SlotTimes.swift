package import SchedulingCore

/// An interval as saga data and the API keep it: RFC 3339 `start` and `end`.
package struct SlotTimes: Codable, Hashable, Sendable {
    package var interval: Interval

    package init(_ interval: Interval) {
        self.interval = interval
    }

    private enum CodingKeys: String, CodingKey { case start, end }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func instant(_ key: CodingKeys) throws -> Instant {
            let text = try container.decode(String.self, forKey: key)
            guard let instant = ISO8601.instant(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not an RFC 3339 date-time: \(text)")
            }
            return instant
        }
        interval = Interval(start: try instant(.start), end: try instant(.end))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ISO8601.format(interval.start), forKey: .start)
        try container.encode(ISO8601.format(interval.end), forKey: .end)
    }
}
