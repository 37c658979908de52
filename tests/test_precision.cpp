// precision: the study at fixed parameters (tiny M, two photon counts) and its report section.
#include <cmath>

#include <gtest/gtest.h>

#include "precision.hpp"

namespace flimgru {
namespace {

TEST(Precision, FiniteForEveryMethodAndFitNearBoundAndMarkdownHasCounts) {
  PrecisionConfig cfg;
  cfg.photons = {1000, 50000};
  cfg.pixels = 48;
  cfg.threads = 2;
  const nlohmann::json r = precision_study(cfg);
  ASSERT_EQ(r["rows"].size(), 2u);
  for (const auto& row : r["rows"]) {
    for (const char* m : {"float", "int8", "int8-photons", "fit", "com"}) {
      ASSERT_TRUE(row["methods"].contains(m)) << m;
      for (const char* q : {"tau_mean_ns", "tau_int_ns"}) {
        if (std::string(m) == "com" && std::string(q) == "tau_mean_ns") {
          EXPECT_FALSE(row["methods"][m].contains(q));
          continue;
        }
        const auto& s = row["methods"][m][q];
        for (const char* k : {"bias", "sd", "F"})
          EXPECT_TRUE(s[k].is_number() && std::isfinite(s[k].get<double>())) << m << " " << q << " " << k;
      }
    }
    EXPECT_TRUE(std::isfinite(row["crlb"]["tau_int_ns"]["sd"].get<double>()));
    EXPECT_TRUE(std::isfinite(row["ratio_int8_crlb_tau_int"].get<double>()));
  }
  const auto& hi = r["rows"][1];
  ASSERT_EQ(hi["photons"].get<double>(), 50000);
  const double ratio = hi["methods"]["fit"]["tau_int_ns"]["sd"].get<double>() / hi["crlb"]["tau_int_ns"]["sd"].get<double>();
  EXPECT_GT(ratio, 0.5);
  EXPECT_LT(ratio, 2.0);
  // τI from the photons: the int8 network with the true IRF, at 50,000 photons within 1.5× the
  // bound in σ (48 pixels), with a smaller bias than the network alone
  const auto& ph = hi["methods"]["int8-photons"]["tau_int_ns"];
  EXPECT_LT(ph["sd"].get<double>(), 1.5 * hi["crlb"]["tau_int_ns"]["sd"].get<double>());
  EXPECT_LT(std::fabs(ph["bias"].get<double>()), std::fabs(hi["methods"]["int8"]["tau_int_ns"]["bias"].get<double>()));
  EXPECT_EQ(ph["n_invalid"].get<int>(), 0);

  const std::string dumped = r.dump();
  const std::string md = precision_markdown(r);
  for (const char* n : {"| 1000 |", "| 50000 |"}) EXPECT_NE(md.find(n), std::string::npos) << n << "\n" << md;
  EXPECT_NE(dumped.find("\"photons\":1000"), std::string::npos);
  EXPECT_NE(dumped.find("\"photons\":50000"), std::string::npos);
  EXPECT_NE(md.find("1.5×"), std::string::npos);
  EXPECT_NE(md.find("τI"), std::string::npos);
}

TEST(Precision, RejectsBadConfig) {
  PrecisionConfig cfg;
  cfg.methods = {"nope"};
  EXPECT_THROW(precision_study(cfg), std::exception);
  cfg.methods = {"fit-photons"};
  EXPECT_THROW(precision_study(cfg), std::exception);
  EXPECT_THROW(precision_markdown(nlohmann::json::object()), std::exception);
}

}  // namespace
}  // namespace flimgru
