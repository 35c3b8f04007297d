import CCurl

/// The one owner of a `curl_slist` (e.g. the recipients of `CURLOPT_MAIL_RCPT`); it must
/// outlive every transfer that uses it.
final class CurlStringList {
    private(set) var raw: UnsafeMutablePointer<curl_slist>?

    init(_ strings: [String]) {
        for string in strings { raw = curl_slist_append(raw, string) }
    }

    deinit {
        curl_slist_free_all(raw)
    }
}
