// ROM images: the quantizer's files read back into the identical integer model, and every
// malformed or mismatched image is refused with the file (and line) named.
#include "rom_image.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "error.hpp"
#include "quantizer.hpp"
#include "safetensors.hpp"
#include "sha256.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

void expect_same_model(const QuantModel& a, const QuantModel& b) {
  EXPECT_EQ(a.rq_shift, b.rq_shift);
  ASSERT_EQ(a.layers, b.layers);
  for (int l = 0; l < a.layers; ++l)
    for (bool enc : {true, false}) {
      const auto& x = enc ? a.encoder[l] : a.decoder[l];
      const auto& y = enc ? b.encoder[l] : b.decoder[l];
      EXPECT_EQ(x.in_dim, y.in_dim);
      EXPECT_EQ(x.w, y.w);
      EXPECT_EQ(x.m, y.m);
      EXPECT_EQ(x.b_r, y.b_r);
      EXPECT_EQ(x.b_z, y.b_z);
      EXPECT_EQ(x.b_in, y.b_in);
      EXPECT_EQ(x.b_hn, y.b_hn);
    }
  EXPECT_EQ(a.head_w, b.head_w);
  EXPECT_EQ(a.head_m, b.head_m);
  EXPECT_EQ(a.head_b, b.head_b);
  EXPECT_EQ(a.sigmoid_table, b.sigmoid_table);
  EXPECT_EQ(a.tanh_table, b.tanh_table);
}

std::vector<int32_t> outputs(const QuantModel& m) {
  std::vector<int32_t> x(kBins), y(kBins * 3);
  for (int k = 0; k < kBins; ++k) x[k] = (k * 37) % 128;
  run_int_model(m, x.data(), y.data());
  return y;
}

TEST(RomImage, RandomModelsRoundTripForSeveralArrayShapes) {
  TempDir d;
  for (int layers : {1, 2})
    for (int P : {1, 7, 16, 24}) {
      const QuantModel m = random_quant_model(layers, 8, 100 + P, P == 7);
      write_rom_set(m, P, d / "rom");
      nlohmann::json man;
      const QuantModel r = load_rom_set(d / "rom", &man);
      expect_same_model(m, r);
      EXPECT_EQ(man["mac_rows"], P);
      EXPECT_EQ(outputs(m), outputs(r));
    }
}

TEST(RomImage, QuantizedCheckpointGivesIdenticalOutputsAfterReadBack) {
  TempDir d;
  const Seq2SeqWeights w = Seq2SeqWeights::random(1, 32, 9);
  for (auto fmt : {QuantFormat::int8(), QuantFormat::int16()}) {
    const QuantModel m = quantize(w, fmt);
    write_rom_set(m, 16, d / "rom");
    EXPECT_EQ(outputs(m), outputs(load_rom_set(d / "rom")));
  }
}

// The ROM images shipped in weights/ (scripts/make-roms.sh): every int8 model has one set per
// MAC-array height a board uses, and each is exactly what the quantizer writes from the committed
// checkpoint today (the manifest's checkpoint path aside, which names the file as it was given,
// and its flimgru_version, which names the build).
std::set<int> board_mac_rows() {
  std::ifstream f(FLIMGRU_SOURCE_DIR "/boards/boards.tsv");
  std::set<int> rows;
  for (std::string line; std::getline(f, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::vector<std::string> col{std::istream_iterator<std::string>(s), {}};
    if (col.size() >= 11) rows.insert(std::stoi(col[10]));
  }
  return rows;
}

TEST(ShippedRomImages, EveryInt8ModelHasTheSetsTheQuantizerWritesForEveryBoard) {
  const fs::path weights = FLIMGRU_SOURCE_DIR "/weights";
  const std::set<int> rows = board_mac_rows();
  ASSERT_FALSE(rows.empty()) << "no MAC-array heights in boards/boards.tsv";
  TempDir d;
  int sets = 0;
  bool has_default = false;
  for (const auto& e : fs::directory_iterator(weights)) {
    const std::string name = e.path().filename().string();
    if (e.is_symlink() || !e.is_directory() || name.size() < 4 || name.substr(name.size() - 4) != "-qat") continue;
    const std::string ckpt = (e.path() / "model.safetensors").string();
    has_default |= fs::equivalent(e.path(), weights / "default");
    for (int P : rows) {
      const fs::path shipped = e.path() / ("rom-p" + std::to_string(P));
      SCOPED_TRACE(shipped.string());
      ASSERT_TRUE(fs::is_directory(shipped)) << "missing: remake with scripts/make-roms.sh " << name;
      test::run_cli({"quantize", ckpt, "-o", d / "rom", "--mac-rows", std::to_string(P)});
      std::set<std::string> files;
      for (const auto& f : fs::directory_iterator(shipped)) files.insert(f.path().filename().string());
      for (const auto& f : fs::directory_iterator(d.path / "rom")) {
        const std::string fn = f.path().filename().string();
        ASSERT_EQ(files.erase(fn), 1u) << fn << " is missing";
        const std::string mine = test::slurp(f.path().string()), theirs = test::slurp((shipped / fn).string());
        if (fn != "manifest.json") {
          EXPECT_EQ(mine, theirs) << fn << " differs from the quantizer's: remake with scripts/make-roms.sh " << name;
          continue;
        }
        auto a = nlohmann::json::parse(mine), b = nlohmann::json::parse(theirs);
        a["source"].erase("checkpoint");
        b["source"].erase("checkpoint");
        a.erase("flimgru_version");  // the build that wrote it
        b.erase("flimgru_version");
        EXPECT_EQ(a, b) << "manifest differs: remake with scripts/make-roms.sh " << name;
      }
      EXPECT_TRUE(files.empty()) << "stray files, first " << *files.begin();
      nlohmann::json man;
      const QuantModel shipped_model = load_rom_set(shipped.string(), &man);
      expect_same_model(shipped_model, quantize(load_checkpoint(ckpt), QuantFormat::int8()));
      EXPECT_EQ(man["mac_rows"], P);
      ++sets;
    }
  }
  EXPECT_TRUE(has_default) << "weights/default is not one of the int8 models";
  EXPECT_GE(sets, 2 * int(rows.size()));
}

TEST(RomImage, WeightWordLayoutFollowsTheSpec) {
  // Word g*K + c, bits 8m+7:8m = weight of ROM row rho = g*P + m (unit-interleaved) at column c.
  TempDir d;
  const QuantModel m = random_quant_model(1, 4, 3);
  write_rom_set(m, 5, d / "rom");
  std::istringstream lines(test::slurp(d / "rom/enc_l0_weights.hex"));
  std::vector<std::string> words;
  for (std::string s; std::getline(lines, s);) words.push_back(s);
  const int K = 5, G = 3;  // K = 1 + 4, G = ceil(12/5)
  ASSERT_EQ(int(words.size()), G * K);
  const int g = 1, c = 2, mm = 3, rho = g * 5 + mm;  // rho 8 = unit 2, gate n
  const std::string& w = words[g * K + c];
  ASSERT_EQ(w.size(), 10u);
  const int byte = std::stoi(w.substr(w.size() - 2 * (mm + 1), 2), nullptr, 16);
  EXPECT_EQ(int8_t(byte), m.encoder[0].weight(2 * 4 + 2, c));
  EXPECT_EQ(rom_row_to_model_row(rho, 4), 10);
  const std::string vh = test::slurp(d / "rom/model_params.vh");
  EXPECT_THAT(vh, ::testing::HasSubstr("localparam integer H = 4;"));
  EXPECT_THAT(vh, ::testing::HasSubstr("localparam integer MAC_ROWS = 5;"));
  EXPECT_THAT(vh, ::testing::HasSubstr("localparam integer ROW_GROUPS = 3;"));
}

class RomCorruption : public ::testing::Test {
 protected:
  TempDir d;
  std::string rom, weights;
  void SetUp() override {
    rom = d / "rom";
    write_rom_set(random_quant_model(1, 8, 1), 16, rom);
    weights = rom + "/enc_l0_weights.hex";
  }
  void edit(const std::string& file, const std::function<std::string(std::string)>& f) {
    test::spit(file, f(test::slurp(file)));
  }
};

TEST_F(RomCorruption, TruncatedFile) {
  edit(weights, [](std::string s) { return s.substr(0, s.rfind('\n', s.size() - 2) + 1); });
  EXPECT_ERROR_MENTIONS(load_rom_set(rom), "enc_l0_weights.hex", "words, expected", "truncated");
}

TEST_F(RomCorruption, BadHexDigit) {
  edit(weights, [](std::string s) { s[3] = 'g'; return s; });
  EXPECT_ERROR_MENTIONS(load_rom_set(rom), "enc_l0_weights.hex", "line 1", "not a hex digit");
}

TEST_F(RomCorruption, WrongWordWidth) {
  edit(rom + "/sigmoid.hex", [](std::string s) { return "0" + s; });
  EXPECT_ERROR_MENTIONS(load_rom_set(rom), "sigmoid.hex", "line 1", "hex digits, expected 4");
}

TEST_F(RomCorruption, FileChangedSinceTheManifest) {
  edit(rom + "/tanh.hex", [](std::string s) { s[0] = s[0] == '0' ? '1' : '0'; return s; });
  EXPECT_ERROR_MENTIONS(load_rom_set(rom), "tanh.hex", "SHA-256");
}

TEST_F(RomCorruption, ManifestDisagreesWithTheModel) {
  edit(rom + "/manifest.json", [](std::string s) {
    const auto p = s.find("\"hidden\": 8");
    return s.replace(p, 11, "\"hidden\": 9");
  });
  EXPECT_ERROR_MENTIONS(load_rom_set(rom), "manifest.json", "enc_l0_weights.hex", "needs");
}

TEST_F(RomCorruption, MissingFileAndMissingManifest) {
  fs::remove(rom + "/head_params.hex");
  EXPECT_ERROR_MENTIONS(load_rom_set(rom), "head_params.hex", "missing");
  fs::remove(rom + "/manifest.json");
  EXPECT_ERROR_MENTIONS(load_rom_set(rom), "manifest.json", "missing");
}

TEST_F(RomCorruption, OutOfRangeFieldsAreRefused) {
  // A multiplier of zero in the unit parameters is not a valid requantization.
  TempDir e;
  QuantModel m = random_quant_model(1, 8, 1);
  write_rom_set(m, 16, e / "rom");
  std::string units = test::slurp(e / "rom/enc_l0_units.hex");
  units.replace(0, 4, "0000");  // M_r of unit 0 (bits 111:96)
  test::spit(e / "rom/enc_l0_units.hex", units);
  std::string man = test::slurp(e / "rom/manifest.json");
  // Re-sign the file so only the range check can catch it.
  nlohmann::json j = nlohmann::json::parse(man);
  j["files"]["enc_l0_units.hex"]["sha256"] = sha256_file(e / "rom/enc_l0_units.hex");
  test::spit(e / "rom/manifest.json", j.dump(2));
  EXPECT_ERROR_MENTIONS(load_rom_set(e / "rom"), "multiplier 0");
}

}  // namespace
}  // namespace flimgru
