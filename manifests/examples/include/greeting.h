// The greeting the server sends, from the configuration file or the built-in default.
#pragma once

#include <string>

std::string load_greeting(const char* config_path);
