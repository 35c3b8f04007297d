import CCurl

/// The one owner of a libcurl easy handle: made in `init`, cleaned up in `deinit`. Not
/// thread-safe, as libcurl's handles are not: its owner uses it from one thread at a time.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer
    /// libcurl writes a readable reason here when a transfer fails.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init() throws(CurlError) {
        CurlGlobal.ready()
        guard let handle = curl_easy_init() else {
            errorBuffer.deallocate()
            throw CurlError(code: CURLE_FAILED_INIT, detail: "curl_easy_init failed")
        }
        raw = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(scheduler_curl_set_long(raw, option, value), option)
    }

    func set(_ option: CURLoption, offset value: Int64) throws(CurlError) {
        try check(scheduler_curl_set_offset(raw, option, curl_off_t(value)), option)
    }

    /// libcurl copies string options, so `value` need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(value.withCString { scheduler_curl_set_string(raw, option, $0) }, option)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(CurlError) {
        try check(scheduler_curl_set_pointer(raw, option, pointer), option)
    }

    func setReadFunction(_ function: scheduler_curl_read_function) throws(CurlError) {
        try check(scheduler_curl_set_read_function(raw, function), CURLOPT_READFUNCTION)
    }

    /// Runs the transfer: blocks until it has finished or failed.
    func perform() -> CurlError? {
        errorBuffer[0] = 0
        let code = curl_easy_perform(raw)
        guard code != CURLE_OK else { return nil }
        let detail = String(cString: errorBuffer)
        return CurlError(code: code, detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
    }

    /// The last reply code the server sent (SMTP: e.g. 250, 451, 550); 0 if none.
    var responseCode: Int {
        var code = 0
        _ = scheduler_curl_response_code(raw, &code)
        return code
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(CurlError) {
        guard code == CURLE_OK else {
            throw CurlError(code: code, detail: "option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

/// A libcurl result other than success.
struct CurlError: Error, CustomStringConvertible {
    var code: CURLcode
    var detail: String

    var description: String { "\(detail) (curl \(code.rawValue))" }
}

/// `curl_global_init`, once per process, before the first handle.
enum CurlGlobal {
    private static let initialised: Bool = scheduler_curl_global_init() == CURLE_OK

    static func ready() {
        _ = initialised
    }
}
