// Checkpoints: parameter counts of the paper's models, round trip, and every refusal.
#include "safetensors.hpp"

#include "error.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

using test::TempDir;

TEST(Checkpoint, ParameterCountsOfTeacherAndStudent) {
  EXPECT_EQ(Seq2SeqWeights::zeros(2, 128).parameter_count(), 299139);
  EXPECT_EQ(Seq2SeqWeights::zeros(1, 32).parameter_count(), 6819);
}

TEST(Checkpoint, RoundTripKeepsEveryValueAndMetadata) {
  TempDir d;
  Seq2SeqWeights w = Seq2SeqWeights::random(2, 8, 42);
  w.metadata["command"] = "flimgru train --seed 1";
  save_checkpoint(w, d / "m.safetensors");
  Seq2SeqWeights r = load_checkpoint(d / "m.safetensors");
  EXPECT_EQ(r.layers, 2);
  EXPECT_EQ(r.hidden, 8);
  EXPECT_EQ(r.metadata.at("command"), "flimgru train --seed 1");
  auto a = w.tensors(), b = r.tensors();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(a[i].second == b[i].second) << a[i].first;
  }
}

TEST(Checkpoint, RandomIsDeterministicBySeed) {
  auto a = Seq2SeqWeights::random(1, 4, 7), b = Seq2SeqWeights::random(1, 4, 7), c = Seq2SeqWeights::random(1, 4, 8);
  EXPECT_TRUE(a.encoder[0].w_hh == b.encoder[0].w_hh);
  EXPECT_FALSE(a.encoder[0].w_hh == c.encoder[0].w_hh);
}

TEST(Checkpoint, RefusesMissingTruncatedAndCorruptFiles) {
  TempDir d;
  EXPECT_ERROR_MENTIONS(load_checkpoint(d / "none.safetensors"), "none.safetensors", "no such file");
  save_checkpoint(Seq2SeqWeights::random(1, 4, 1), d / "m.safetensors");
  const std::string good = test::slurp(d / "m.safetensors");

  test::spit(d / "short.safetensors", good.substr(0, 5));
  EXPECT_ERROR_MENTIONS(load_checkpoint(d / "short.safetensors"), "short.safetensors", "too short");

  test::spit(d / "trunc.safetensors", good.substr(0, good.size() - 10));
  EXPECT_ERROR_MENTIONS(load_checkpoint(d / "trunc.safetensors"), "trunc.safetensors", "truncated");

  std::string bad_json = good;
  bad_json[9] = '#';
  test::spit(d / "json.safetensors", bad_json);
  EXPECT_ERROR_MENTIONS(load_checkpoint(d / "json.safetensors"), "json.safetensors", "JSON");
}

TEST(Checkpoint, RefusesNonFiniteValues) {
  TempDir d;
  Seq2SeqWeights w = Seq2SeqWeights::random(1, 4, 1);
  w.decoder[0].w_hh(1, 2) = std::numeric_limits<float>::quiet_NaN();
  save_checkpoint(w, d / "nan.safetensors");
  EXPECT_ERROR_MENTIONS(load_checkpoint(d / "nan.safetensors"), "nan.safetensors", "decoder.weight_hh_l0", "not finite");
}

TEST(Checkpoint, RefusesWrongDimensions) {
  TempDir d;
  save_checkpoint(Seq2SeqWeights::random(1, 4, 1), d / "m.safetensors");
  std::string s = test::slurp(d / "m.safetensors");
  const auto pos = s.find("\"hidden\":\"4\"");
  ASSERT_NE(pos, std::string::npos);
  s.replace(pos, 12, "\"hidden\":\"5\"");
  test::spit(d / "dims.safetensors", s);
  EXPECT_ERROR_MENTIONS(load_checkpoint(d / "dims.safetensors"), "dims.safetensors", "shape", "hidden=5");
}

}  // namespace
}  // namespace flimgru
