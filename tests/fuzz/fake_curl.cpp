// See fake_curl.hpp. Only what query_client.cpp uses is implemented; the signatures are libcurl's.

#include "fake_curl.hpp"

#include <curl/curl.h>

#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace {

struct Handle {
    curl_write_callback write = nullptr;
    void* write_data = nullptr;
    std::string post_fields;
    long post_size = -1;
    long status = 0;
};

std::mutex mutex;
long answer_status = 200;
std::string answer_body;
int performed = 0;
int budget = 1000000;
std::string last_form;

} // namespace

namespace leafsynth_fuzz::fake_curl {

void set_answer(long http_status, std::string body) {
    std::lock_guard lock(mutex);
    answer_status = http_status;
    answer_body = std::move(body);
}

int requests() {
    std::lock_guard lock(mutex);
    return performed;
}

void reset(int new_budget) {
    std::lock_guard lock(mutex);
    performed = 0;
    budget = new_budget;
}

std::string last_request() {
    std::lock_guard lock(mutex);
    return last_form;
}

} // namespace leafsynth_fuzz::fake_curl

// libCurl declares the option/info parameter before "..." as an enum; va_start on it is fine with
// every compiler leafsynth supports, but clang warns (-Wvarargs).
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wvarargs"
#endif

extern "C" {

CURLcode curl_global_init(long) { return CURLE_OK; }

CURL* curl_easy_init(void) { return reinterpret_cast<CURL*>(new Handle); }

void curl_easy_cleanup(CURL* curl) { delete reinterpret_cast<Handle*>(curl); }

void curl_easy_reset(CURL* curl) { *reinterpret_cast<Handle*>(curl) = Handle{}; }

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
    Handle& h = *reinterpret_cast<Handle*>(curl);
    va_list args;
    va_start(args, option);
    switch (option) {
    case CURLOPT_WRITEFUNCTION: h.write = va_arg(args, curl_write_callback); break;
    case CURLOPT_WRITEDATA: h.write_data = va_arg(args, void*); break;
    case CURLOPT_POSTFIELDS: {
        const char* fields = va_arg(args, const char*);
        h.post_fields = fields ? fields : "";
        break;
    }
    case CURLOPT_POSTFIELDSIZE: h.post_size = va_arg(args, long); break;
    default: break; // URL, headers, signing, timeouts: nothing to do without a network
    }
    va_end(args);
    return CURLE_OK;
}

CURLcode curl_easy_perform(CURL* curl) {
    Handle& h = *reinterpret_cast<Handle*>(curl);
    std::string body;
    {
        std::lock_guard lock(mutex);
        last_form = h.post_size >= 0 ? h.post_fields.substr(0, static_cast<size_t>(h.post_size)) : h.post_fields;
        if (++performed > budget) return CURLE_COULDNT_CONNECT;
        body = answer_body;
        h.status = answer_status;
    }
    if (!h.write) return CURLE_WRITE_ERROR;
    // In two pieces, as a network would deliver it.
    const size_t half = body.size() / 2;
    for (const auto& [at, n] : {std::pair<size_t, size_t>{0, half}, {half, body.size() - half}}) {
        if (n == 0) continue;
        if (h.write(body.data() + at, 1, n, h.write_data) != n) return CURLE_WRITE_ERROR;
    }
    return CURLE_OK;
}

CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
    Handle& h = *reinterpret_cast<Handle*>(curl);
    va_list args;
    va_start(args, info);
    CURLcode rc = CURLE_OK;
    if (info == CURLINFO_RESPONSE_CODE)
        *va_arg(args, long*) = h.status;
    else
        rc = CURLE_UNKNOWN_OPTION;
    va_end(args);
    return rc;
}

const char* curl_easy_strerror(CURLcode code) { return code == CURLE_OK ? "no error" : "scripted failure"; }

struct curl_slist* curl_slist_append(struct curl_slist* list, const char* text) {
    auto* item = static_cast<curl_slist*>(std::calloc(1, sizeof(curl_slist)));
    item->data = strdup(text);
    if (!list) return item;
    curl_slist* last = list;
    while (last->next) last = last->next;
    last->next = item;
    return list;
}

void curl_slist_free_all(struct curl_slist* list) {
    while (list) {
        curl_slist* next = list->next;
        std::free(list->data);
        std::free(list);
        list = next;
    }
}

// Percent-encoding as libcurl does it (RFC 3986 unreserved characters kept).
char* curl_easy_escape(CURL*, const char* text, int length) {
    const size_t n = length > 0 ? static_cast<size_t>(length) : std::strlen(text);
    std::string out;
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return strdup(out.c_str());
}

void curl_free(void* p) { std::free(p); }

} // extern "C"
