import CEventExtra

/// Namespace of the extra library (dns, http, tag, rpc). It reaches the
/// core only through C symbols (CEventExtra.h), never the Event module.
enum Extra {}
