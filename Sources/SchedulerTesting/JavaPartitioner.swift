/// Kafka's Java client partitioner (`murmur2` of the key bytes, positive, modulo the
/// partition count), written from its definition so tests can check where another client
/// will expect a key.
package enum JavaPartitioner {
    /// A key for each of `partitions` partitions: the first `key-N` that lands on it.
    package static func keyPerPartition(_ partitions: Int) -> [Int32: String] {
        var keys: [Int32: String] = [:]
        var index = 0
        while keys.count < partitions {
            let key = "key-\(index)"
            let partition = partition(forKey: Array(key.utf8), partitions: partitions)
            if keys[partition] == nil { keys[partition] = key }
            index += 1
        }
        return keys
    }

    package static func partition(forKey key: [UInt8], partitions: Int) -> Int32 {
        Int32(Int(murmur2(key) & 0x7fff_ffff) % partitions)
    }

    static func murmur2(_ data: [UInt8]) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        var h: UInt32 = 0x9747_b28c ^ UInt32(data.count)
        let whole = data.count / 4
        for index in 0..<whole {
            let base = index * 4
            var k = UInt32(data[base]) | UInt32(data[base + 1]) << 8 | UInt32(data[base + 2]) << 16 | UInt32(data[base + 3]) << 24
            k &*= m
            k ^= k >> 24
            k &*= m
            h &*= m
            h ^= k
        }
        let tail = whole * 4
        switch data.count % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            fallthrough
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            fallthrough
        case 1:
            h ^= UInt32(data[tail])
            h &*= m
        default:
            break
        }
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return h
    }
}
