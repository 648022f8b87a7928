#include <fstream>
#include <random>
#include <set>
#include <system_error>

#include "detail/parallel.hpp"
#include "leafsynth/app.hpp"
#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace fs = std::filesystem;

namespace {
std::string unique_suffix() {
    std::random_device rd;
    return std::to_string(rd()) + std::to_string(rd());
}

/// What the marker file says; its presence is what lets a later write replace the folder.
constexpr const char* kMarkerText =
    "This folder was written by leafsynth, which replaces it as a whole on the next synth into it.\n";

/// Replacing `outdir` loses whatever is in it: allowed only for a folder leafsynth wrote (it has
/// the marker) or an empty one.
void check_replaceable(const fs::path& outdir) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(outdir, ec))) return;
    if (fs::is_symlink(fs::symlink_status(outdir, ec)))
        throw InputError("output folder '" + outdir.string() +
                         "' is a symbolic link; give the folder it points to, or a new folder, with -o");
    if (!fs::is_directory(outdir, ec))
        throw InputError("output path '" + outdir.string() + "' exists and is not a folder; choose another -o");
    if (fs::is_regular_file(outdir / kOutputMarker, ec)) return;
    fs::directory_iterator it(outdir, ec);
    if (ec) throw InputError("cannot read output folder '" + outdir.string() + "': " + ec.message());
    if (it == fs::directory_iterator()) return;
    throw InputError("output folder '" + outdir.string() +
                     "' is not empty and was not written by leafsynth (it has no " + kOutputMarker +
                     " file), so writing there would delete its files; give a new or empty folder with -o, "
                     "or remove that folder first");
}

/// Every file must land inside the output folder: a relative path naming a file, without '..'.
void check_file_path(const std::string& path, const fs::path& outdir) {
    const fs::path p(path);
    bool ok = !path.empty() && p.is_relative() && !p.has_root_name() && !p.has_root_directory() &&
              p.has_filename() && p.filename() != ".";
    for (const auto& part : p)
        if (part == "..") ok = false;
    if (!ok)
        throw Error("cannot write '" + path + "' into '" + outdir.string() +
                    "': assembly file paths must be relative and stay inside the output folder");
}
} // namespace

void write_assembly(const Assembly& assembly, const fs::path& outdir_in) {
    fs::path outdir = outdir_in;
    if (outdir.filename().empty()) outdir = outdir.parent_path(); // "out/" -> "out"
    fs::path parent = outdir.has_parent_path() ? outdir.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw Error("cannot create '" + parent.string() + "': " + ec.message());
    if (outdir.empty() || outdir.filename() == "." || outdir.filename() == ".." || outdir == outdir.root_path())
        throw InputError("output folder '" + outdir_in.string() +
                         "' cannot be replaced as a whole; name a folder of its own with -o, e.g. -o leafsynth.out");
    check_replaceable(outdir);

    for (const auto& f : assembly.files) {
        check_file_path(f.path, outdir);
        if (f.path == kOutputMarker) throw Error("the assembly may not contain a file named " + std::string(kOutputMarker));
    }

    // Write everything into a sibling temporary folder, then swap it in. Until the swap the
    // previous output is untouched; a failure removes the temporary folder.
    fs::path tmp = parent / ("." + outdir.filename().string() + ".tmp-" + unique_suffix());
    try {
        fs::create_directory(tmp);
        // Folders first, then the files on every core (thousands of files for a large app).
        std::set<fs::path> folders;
        for (const auto& f : assembly.files) folders.insert((tmp / f.path).parent_path());
        for (const auto& folder : folders) fs::create_directories(folder);
        detail::run_in_parallel(assembly.files.size(), 0, [&](std::size_t i) {
            const AssemblyFile& f = assembly.files[i];
            std::ofstream os(tmp / f.path, std::ios::binary | std::ios::trunc);
            os.write(f.contents.data(), static_cast<std::streamsize>(f.contents.size()));
            os.close();
            if (!os) throw Error("cannot write '" + (outdir / f.path).string() + "'");
        });
        {
            std::ofstream marker(tmp / kOutputMarker, std::ios::binary | std::ios::trunc);
            marker << kMarkerText;
            marker.close();
            if (!marker) throw Error("cannot write '" + (outdir / kOutputMarker).string() + "'");
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
