#pragma once
#include <string>
std::string greeting();
