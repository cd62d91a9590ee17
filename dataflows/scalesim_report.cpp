#include "dataflows/scalesim_report.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace nasaic {

std::string python_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string text(buffer, result.ptr);
  const auto e = text.find('e');
  std::string mantissa = text.substr(0, e);
  const int exponent = std::atoi(text.c_str() + e + 1);
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char ch : mantissa) {
    if (ch != '.') digits += ch;
  }
  std::string out;
  if (exponent >= -5 && exponent < 16) {
    if (exponent >= 0) {
      const std::size_t integer_digits = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= integer_digits) {
        out = digits + std::string(integer_digits - digits.size(), '0') + ".0";
      } else {
        out = digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
      }
    } else {
      out = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    }
    // Python switches to exponent form below 1e-4.
    if (exponent < -4) {
      out = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + "e-" +
            (-exponent < 10 ? "0" : "") + std::to_string(-exponent);
    }
  } else {
    out = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + (exponent < 0 ? "e-" : "e+") +
          (std::abs(exponent) < 10 ? "0" : "") + std::to_string(std::abs(exponent));
  }
  return negative ? "-" + out : out;
}

std::string compute_report_csv(const std::vector<ComputeReportRow>& rows) {
  std::string out = std::string(kComputeReportHeader) + "\n";
  for (const auto& row : rows) {
    out += std::to_string(row.layer_id) + ", " + std::to_string(row.total_cycles) + ", " +
           std::to_string(row.stall_cycles) + ", " + python_float(row.overall_util_pct) + ", " +
           python_float(row.mapping_efficiency_pct) + ", " + python_float(row.compute_util_pct) + ",\n";
  }
  return out;
}

}  // namespace nasaic
