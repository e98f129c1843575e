@"%~dp0kubectl-cis_netpol.exe" __complete %*
