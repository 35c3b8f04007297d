extension Duration {
    /// The duration as librdkafka's `int` milliseconds: a sub-millisecond rest rounds up,
    /// negative becomes 0, and anything beyond `Int32.max` (about 24.8 days) is clamped.
    var librdkafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, seconds > 0 || attoseconds > 0 else { return 0 }
        guard seconds < Int64(Int32.max) / 1000 + 1 else { return .max }
        let rest = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: seconds * 1000 + rest)
    }
}
