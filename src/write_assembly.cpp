#include <fstream>
#include <random>
#include <system_error>

#include "leafsynth/app.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace fs = std::filesystem;

namespace {
std::string unique_suffix() {
    std::random_device rd;
    return std::to_string(rd()) + std::to_string(rd());
}
} // namespace

void write_assembly(const Assembly& assembly, const fs::path& outdir_in) {
    fs::path outdir = outdir_in;
    if (outdir.filename().empty()) outdir = outdir.parent_path(); // "out/" -> "out"
    fs::path parent = outdir.has_parent_path() ? outdir.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw Error("cannot create '" + parent.string() + "': " + ec.message());
    if (fs::exists(outdir) && !fs::is_directory(outdir))
        throw InputError("output path '" + outdir.string() + "' exists and is not a folder; choose another -o");

    // Write everything into a sibling temporary folder, then swap it in. Until the swap the
    // previous output is untouched; a failure removes the temporary folder.
    fs::path tmp = parent / ("." + outdir.filename().string() + ".tmp-" + unique_suffix());
    try {
        fs::create_directory(tmp);
        for (const auto& f : assembly.files) {
            fs::path p = tmp / f.path;
            fs::create_directories(p.parent_path());
            std::ofstream os(p, std::ios::binary | std::ios::trunc);
            os.write(f.contents.data(), static_cast<std::streamsize>(f.contents.size()));
            os.close();
            if (!os) throw Error("cannot write '" + (outdir / f.path).string() + "'");
        }
        fs::path old;
        if (fs::exists(outdir)) {
            old = parent / ("." + outdir.filename().string() + ".old-" + unique_suffix());
            fs::rename(outdir, old);
        }
        try {
            fs::rename(tmp, outdir);
        } catch (...) {
            if (!old.empty()) fs::rename(old, outdir);
            throw;
        }
        if (!old.empty()) fs::remove_all(old, ec);
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(tmp, ec);
        throw Error(std::string("cannot write the output folder: ") + e.what());
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

} // namespace leafsynth
