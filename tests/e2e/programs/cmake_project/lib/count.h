#pragma once
#ifdef __cplusplus
extern "C" {
#endif
void count_add(int n);
int count_value(void);
#ifdef __cplusplus
}
#endif
