// Writes the golden pcaps of golden_fixtures.h into a directory, after checking the builder's
// oracle against the packet library: a fixture whose expected output the classifier would not
// produce is a bug in one of them, and no file is written for it.
#ifndef REFLECTOR_TESTING_GOLDEN_GOLDEN_WRITER_H_
#define REFLECTOR_TESTING_GOLDEN_GOLDEN_WRITER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace reflector::testing::golden {

// <fixture>.in.pcap and <fixture>.out.<mode>.pcap for every fixture and mode, plus
// fixtures.txt (each fixture's reflectord flags). Returns the names written.
absl::Status WriteGoldenPcaps(const std::string& directory, std::vector<std::string>* written);

// The text of fixtures.txt.
absl::StatusOr<std::string> FixtureManifest();

}  // namespace reflector::testing::golden

#endif  // REFLECTOR_TESTING_GOLDEN_GOLDEN_WRITER_H_
