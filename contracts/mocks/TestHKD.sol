// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title TestHKD
/// @notice A Hong Kong dollar stablecoin for local test chains only: the pilot pays
/// licence revenue in it. Six decimals, as HKD stablecoins in the HKMA sandbox use.
contract TestHKD is ERC20, Ownable {
    constructor(address initialOwner) ERC20("Test Hong Kong Dollar", "tHKD") Ownable(initialOwner) {}

    /// @notice Mints test money; only the owner (the deployer on a dev chain) may.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
