// SPDX-License-Identifier: Apache-2.0
// md5 through OpenSSL's EVP interface, fetched once per hasher, not per row.
#include "verify/row_hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace replicate::verify {

struct RowHasher::Impl {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

RowHasher::RowHasher() : impl_(std::make_unique<Impl>()) {
  impl_->md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  impl_->ctx = EVP_MD_CTX_new();
  if (!impl_->md || !impl_->ctx) throw std::runtime_error("OpenSSL offers no MD5 digest");
}

RowHasher::~RowHasher() = default;

namespace {

void encode_into(std::string& out, const std::vector<std::optional<std::string>>& row) {
  out.clear();
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) out += '|';
    if (!row[i]) {
      out += 'N';
      continue;
    }
    out += std::to_string(row[i]->size());
    out += ':';
    out += *row[i];
  }
}

}  // namespace

std::string encode_row(const std::vector<std::optional<std::string>>& row) {
  std::string out;
  encode_into(out, row);
  return out;
}

std::uint64_t RowHasher::hash(const std::vector<std::optional<std::string>>& row) {
  encode_into(buffer_, row);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_DigestInit_ex2(impl_->ctx, impl_->md, nullptr) ||
      !EVP_DigestUpdate(impl_->ctx, buffer_.data(), buffer_.size()) ||
      !EVP_DigestFinal_ex(impl_->ctx, digest, &len) || len < 8)
    throw std::runtime_error("md5 failed");
  std::uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | digest[i];
  return h;
}

std::string RowHasher::md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_DigestInit_ex2(impl_->ctx, impl_->md, nullptr) ||
      !EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) ||
      !EVP_DigestFinal_ex(impl_->ctx, digest, &len))
    throw std::runtime_error("md5 failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string row_md5_sql(const std::vector<std::string>& values) {
  std::string enc;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) enc += " || '|' || ";
    enc += "coalesce(octet_length(" + values[i] + ")::text || ':' || " + values[i] + ", 'N')";
  }
  if (values.empty()) enc = "''";
  return "md5(" + enc + ")";
}

std::string row_hash_sql(const std::vector<std::string>& values) {
  return "('x' || left(" + row_md5_sql(values) + ", 16))::bit(64)::bigint";
}

std::uint64_t hash_from_hex(std::string_view hex) {
  std::uint64_t h = 0;
  for (std::size_t i = 0; i < 16 && i < hex.size(); ++i) {
    char c = hex[i];
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0) throw std::invalid_argument("not a hex digest: " + std::string(hex));
    h = (h << 4) | static_cast<std::uint64_t>(v);
  }
  return h;
}

std::uint64_t sum_mod64(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::uint64_t v = 0;
  for (char c : s) {
    if (c == '.') break;  // sum() of bigints has no fraction; be safe
    if (c < '0' || c > '9') throw std::invalid_argument("not an integer sum: " + std::string(s));
    v = v * 10 + static_cast<std::uint64_t>(c - '0');  // wraps mod 2^64, as intended
  }
  return negative ? ~v + 1 : v;
}

}  // namespace replicate::verify
