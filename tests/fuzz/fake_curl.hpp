#pragma once
// A scripted stand-in for the few libcurl functions src/aws_api/query_client.cpp calls, linked
// into fuzz_cloudformation_xml instead of libcurl (a link seam: the aws_api sources are compiled
// unchanged). Every curl_easy_perform delivers the scripted answer (HTTP status and body) through
// the write callback the client set, without any network.

#include <string>

namespace leafsynth_fuzz::fake_curl {

/// The answer every request gets from now on.
void set_answer(long http_status, std::string body);

/// Requests performed since the last reset, and the budget after which a request fails as a
/// dropped connection (CURLE_COULDNT_CONNECT).
int requests();
void reset(int budget);

/// The form body (Action=...&...) of the last request.
std::string last_request();

} // namespace leafsynth_fuzz::fake_curl
