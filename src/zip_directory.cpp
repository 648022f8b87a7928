#include <zip.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "leafsynth/asset.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/logical_id.hpp"

namespace leafsynth {

namespace fs = std::filesystem;

namespace {
// Zip entries hold local wall-clock (DOS) time. The time_t whose local time is 1980-01-01 00:00
// (the earliest a zip can hold) gives the same bytes in every time zone, and no checkout time leaks in.
time_t fixed_time() {
    std::tm tm{};
    tm.tm_year = 80;
    tm.tm_mon = 0;
    tm.tm_mday = 1;
    tm.tm_isdst = -1;
    return std::mktime(&tm);
}

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};

[[noreturn]] void fail(const fs::path& dir, const std::string& what) {
    throw InputError("cannot package asset folder '" + dir.string() + "': " + what);
}
} // namespace

std::string zip_directory(const fs::path& dir) {
    if (!fs::is_directory(dir)) fail(dir, "it is not a folder");
    std::vector<std::pair<std::string, fs::path>> entries; // archive name -> path
    std::vector<std::string> folders;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
        // lexically: the walk starts at dir, so no canonical paths (a stat per component) are needed
        std::string rel = it->path().lexically_relative(dir).generic_string();
        // Caches and editor droppings are not code.
        if (it->path().filename() == "__pycache__" || it->path().filename() == ".DS_Store") {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (it->is_directory()) folders.push_back(rel + "/");
        else if (it->is_regular_file()) entries.emplace_back(rel, it->path());
    }
    std::sort(entries.begin(), entries.end());
    std::sort(folders.begin(), folders.end());

    std::vector<std::string> contents; // kept alive until zip_close reads them
    contents.reserve(entries.size());
    for (const auto& [name, path] : entries) {
        std::ifstream in(path, std::ios::binary | std::ios::ate);
        if (!in) fail(dir, "cannot read '" + path.string() + "'");
        std::string& text = contents.emplace_back(static_cast<std::size_t>(in.tellg()), '\0');
        in.seekg(0);
        if (!in.read(text.data(), static_cast<std::streamsize>(text.size())) || in.peek() != std::ifstream::traits_type::eof())
            fail(dir, "cannot read '" + path.string() + "' (did it change while being read?)");
    }

    // The archive is a function of the folder names, file names and contents: one deflate per
    // distinct folder content in a process (an app packages the same handler folder for every
    // stack that uses it), the cache keyed by their SHA-256.
    std::string identity;
    for (const auto& f : folders) identity.append("d").append(f).push_back('\0');
    for (std::size_t i = 0; i < entries.size(); ++i)
        identity.append("f").append(entries[i].first).append("\0" + std::to_string(contents[i].size()) + "\0").append(contents[i]);
    const std::string key = sha256_hex(identity);
    static std::mutex cache_mutex;
    static std::map<std::string, std::string> cache;
    {
        std::lock_guard lock(cache_mutex);
        if (auto hit = cache.find(key); hit != cache.end()) return hit->second;
    }

    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
    if (!buffer) fail(dir, zip_error_strerror(&error));
    zip_source_keep(buffer);
    std::unique_ptr<zip_t, ZipCloser> archive(zip_open_from_source(buffer, ZIP_TRUNCATE, &error));
    if (!archive) {
        zip_source_free(buffer);
        fail(dir, zip_error_strerror(&error));
    }
    auto set_attrs = [&](zip_int64_t index, unsigned mode) {
        zip_file_set_mtime(archive.get(), static_cast<zip_uint64_t>(index), fixed_time(), 0);
        zip_file_set_external_attributes(archive.get(), static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                         static_cast<zip_uint32_t>(mode) << 16);
    };
    for (const auto& f : folders) {
        zip_int64_t i = zip_dir_add(archive.get(), f.c_str(), ZIP_FL_ENC_UTF_8);
        if (i < 0) fail(dir, zip_strerror(archive.get()));
        set_attrs(i, 040755);
    }
    for (std::size_t n = 0; n < entries.size(); ++n) {
        const std::string& name = entries[n].first;
        zip_source_t* src = zip_source_buffer(archive.get(), contents[n].data(), contents[n].size(), 0);
        if (!src) fail(dir, zip_strerror(archive.get()));
        zip_int64_t i = zip_file_add(archive.get(), name.c_str(), src, ZIP_FL_ENC_UTF_8);
        if (i < 0) {
            zip_source_free(src);
            fail(dir, zip_strerror(archive.get()));
        }
        set_attrs(i, 0100644);
        zip_set_file_compression(archive.get(), static_cast<zip_uint64_t>(i), ZIP_CM_DEFLATE, 9);
    }
    if (zip_close(archive.get()) < 0) fail(dir, zip_strerror(archive.get()));
    archive.release(); // closed

    std::string out;
    zip_stat_t st;
    if (zip_source_stat(buffer, &st) < 0 || zip_source_open(buffer) < 0) {
        zip_source_free(buffer);
        fail(dir, "cannot read the archive back");
    }
    out.resize(st.size);
    zip_int64_t n = zip_source_read(buffer, out.data(), st.size);
    zip_source_close(buffer);
    zip_source_free(buffer);
    if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) fail(dir, "short read of the archive");
    std::lock_guard lock(cache_mutex);
    cache.emplace(key, out);
    return out;
}

} // namespace leafsynth
